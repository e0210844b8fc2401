"""A bare FastAPI JSON endpoint: the baseline the REST turn is compared with."""

from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/echo")
async def echo(request: Request) -> dict:
    body = await request.json()
    return {"conversation_id": "-", "intent": "greeting", "language": "en",
            "replies": [{"text": body.get("message", ""), "buttons": []}], "sources": [], "handoff": False}
