"""Knowledge: the trade-regulation corpus, reference data, retrieval and the HS classifier."""
