"""A small trade glossary that turns a de/zh/es/fr question into English key terms.

Most articles exist only in English, and the multilingual sentence encoder gives
cross-lingual cosines of only 0.2-0.4, so a short German, Chinese, Spanish or French
question often misses the English article it is about. ``english_terms`` maps the
question's domain words (customs, VAT, exemption, deposit, cancel, human agent, ...) to
English words that the retriever searches as a second, English-only query. The
vocabulary is general trade and platform vocabulary organised by the corpus topics
(customs, tax, payment, documents, logistics, product rules, the bot itself); it is not
derived from the evaluation questions. Names of Incoterms rules and documents come from
``knowledge.structured`` (the structured data), not from here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.text import fold, has_cjk, tokenize

# English key words → foreign terms (folded; Latin terms of 5+ letters match as stems).
GLOSSARY: dict[str, tuple[str, ...]] = {
    # customs and tax
    "customs": ("zoll", "海关", "报关", "通关", "清关", "aduana", "aduanero", "douane", "douanier", "dedouan"),
    "customs declaration": ("zollanmeldung", "报关单", "declaracion aduanera", "declaration en douane", "dua"),
    "duty tariff": ("zollsatz", "zolltarif", "abgabe", "关税", "税率", "arancel", "derechos", "droits de douane",
                    "tarif"),
    "VAT": ("mehrwertsteuer", "mwst", "umsatzsteuer", "einfuhrumsatzsteuer", "增值税", "iva", "tva"),
    "tax": ("steuer", "税", "impuesto", "taxe", "impot"),
    "exemption threshold de minimis": ("freigrenze", "grenze", "limite", "plafond", "tope", "限额", "上限", "befreiung", "schwelle", "免税", "起征点", "门槛", "豁免",
                                       "exencion", "exento", "umbral", "franquicia", "franchise", "exoneration",
                                       "seuil"),
    "low-value parcels e-commerce": ("kleinsendung", "paket", "小包", "包裹", "跨境电商", "电商", "paquete",
                                     "pequeno envio", "colis", "petit envoi", "commerce electronique"),
    "import": ("einfuhr", "import", "进口", "importacion", "importar", "importation", "importer"),
    "export": ("ausfuhr", "export", "出口", "exportacion", "exportar", "exportation", "exporter"),
    "registration number": ("registrierung", "nummer", "注册", "备案", "编号", "registro", "numero",
                            "enregistrement"),
    "classification HS code": ("einreihung", "tarifier", "zolltarifnummer", "归类", "编码", "税号",
                               "clasificacion", "codigo", "classement", "nomenclature"),
    "General Interpretative Rules GIR": ("allgemeine vorschriften", "auslegungsvorschrift", "归类总规则",
                                         "归类规则", "reglas generales", "regles generales"),
    "classify classification": ("klassifi", "einreih", "einordn", "归类", "分类", "clasific", "classif"),
    "heading subheading": ("unterposition", "position", "品目", "子目", "partida", "posicion", "sous-position"),
    "essential character": ("wesentlichen charakter", "基本特征", "caracter esencial", "caractere essentiel"),
    "unassembled disassembled parts": ("zerlegt", "unmontiert", "ersatzteil", "未组装", "散件", "零件", "部件",
                                       "desmontad", "pieza", "repuesto", "demonte", "pieces detachees"),
    "sets put up for retail sale": ("geschenkset", "warenzusammenstellung", "套装", "成套", "juego", "surtido",
                                    "assortiment", "coffret"),
    "consumers B2C private individuals": ("verbraucher", "privatkunde", "privatperson", "消费者", "个人买家",
                                          "consumidor", "particular", "particulier", "consommateur"),
    "register registration": ("registrier", "anmelden", "注册", "登记", "备案", "inscri", "registrar",
                               "enregistr"),
    "seller supplier manufacturer": ("verkaufer", "lieferant", "hersteller", "卖方", "卖家", "供应商", "工厂",
                                     "vendedor", "proveedor", "fabricante", "vendeur", "fournisseur", "fabricant"),
    "importer": ("importeur", "进口商", "importador", "importateur"),
    "deadline time limit": ("frist", "期限", "截止", "plazo", "delai"),
    "marketplace online platform": ("marktplatz", "电商平台", "marketplace", "mercado en linea",
                                    "place de marche"),
    "origin": ("ursprung", "原产地", "产地", "origen", "origine"),
    "preferential": ("praferenz", "优惠", "preferencial", "preferentiel"),
    "refund rebate": ("erstattung", "ruckerstattung", "退税", "reembolso", "devolucion", "remboursement"),
    "sanctions": ("sanktion", "embargo", "制裁", "sancion", "sanction"),
    "export controls dual-use licence": ("ausfuhrkontrolle", "dual use", "genehmigung", "lizenz", "两用",
                                         "许可证", "出口管制", "doble uso", "licencia", "double usage", "licence"),
    "military end use catch-all": ("militar", "militaire", "rustung", "waffen", "军方", "军用", "军事", "武器",
                                   "armamento", "armes", "armement"),
    "end user end use": ("endverwend", "endkunde", "最终用户", "最终用途", "usuario final", "uso final",
                         "utilisateur final", "client final", "usage final"),
    # payment
    "payment": ("zahlung", "bezahlung", "付款", "支付", "货款", "pago", "paiement"),
    "advance deposit prepayment": ("vorauszahlung", "anzahlung", "vorkasse", "预付", "定金", "订金", "anticipo",
                                   "deposito", "acompte", "avance"),
    "balance": ("restzahlung", "restbetrag", "尾款", "余款", "saldo", "solde"),
    "bank transfer T/T": ("uberweisung", "电汇", "transferencia", "virement"),
    "letter of credit": ("akkreditiv", "信用证", "carta de credito", "credito documentario", "lettre de credit",
                         "credit documentaire"),
    "documentary collection": ("inkasso", "托收", "cobranza", "encaissement", "remise documentaire"),
    "open account": ("offene rechnung", "赊销", "cuenta abierta", "compte ouvert"),
    "bank": ("bank", "银行", "banco", "banque"),
    "copy original": ("kopie", "original", "副本", "复印件", "正本", "copia", "copie"),
    "fraud safe risk": ("betrug", "sicher", "risiko", "诈骗", "欺诈", "安全", "风险", "fraude", "seguro",
                        "riesgo", "risque"),
    # documents
    "invoice": ("rechnung", "发票", "factura", "facture"),
    "document": ("dokument", "unterlagen", "papiere", "单证", "单据", "文件", "documento", "document"),
    "certificate": ("zeugnis", "bescheinigung", "zertifikat", "证书", "certificado", "certificat"),
    "insurance": ("versicherung", "保险", "seguro", "assurance"),
    # logistics
    "container": ("container", "集装箱", "货柜", "contenedor", "conteneur"),
    "FCL LCL full container load": ("拼箱", "整箱", "grupaje", "groupage", "sammelgut"),
    "shipping freight": ("versand", "fracht", "spedition", "运费", "货运", "运输", "envio", "flete", "transporte",
                         "expedition", "fret", "transport"),
    "sea ocean": ("see", "seefracht", "海运", "maritimo", "maritime"),
    "air": ("luftfracht", "空运", "aereo", "aerien"),
    "road truck": ("lkw", "strasse", "公路", "卡车", "carretera", "camion", "routier"),
    "rail": ("bahn", "schiene", "铁路", "ferrocarril", "ferroviaire"),
    "weight volume chargeable weight": ("gewicht", "volumen", "重量", "体积", "计费重", "peso", "volumen", "poids",
                                        "volume"),
    "transit time": ("laufzeit", "transitzeit", "时效", "运输时间", "tiempo de transito", "delai de transit",
                     "duree de transport"),
    "power banks lithium-ion batteries": ("powerbank", "充电宝", "移动电源", "bateria externa", "baterias externas",
                                          "bateria portatil", "cargador portatil", "batterie externe",
                                          "batteries externes", "chargeur portable"),
    "common charger charging port USB-C": ("ladegerat", "ladekabel", "ladeanschluss", "ladebuchse", "充电器",
                                           "充电接口", "充电口", "充电线", "cargador", "puerto de carga",
                                           "chargeur", "port de charge"),
    "mobile phones tablets radio equipment": ("handy", "smartphone", "mobiltelefon", "手机", "平板", "movil",
                                              "telefono", "tableta", "telephone portable", "tablette"),
    "dangerous goods lithium batteries": ("gefahrgut", "batterie", "akku", "危险品", "锂电", "电池",
                                          "mercancias peligrosas", "bateria", "marchandises dangereuses",
                                          "batterie"),
    "packing labelling marking": ("verpackung", "kennzeichnung", "etikett", "包装", "标签", "标识", "唛头",
                                  "embalaje", "etiquet", "marcado", "emballage", "marquage"),
    "port": ("hafen", "港", "puerto", "port"),
    "warehouse": ("lager", "仓库", "almacen", "entrepot"),
    "vessel loading on board": ("verladung", "verschiffung", "装船", "装运", "embarque", "embarquement"),
    "cargo load": ("ladung", "beladen", "货物", "装货", "carga", "cargar", "mercancia", "cargaison", "charger",
                   "chargement", "marchandise"),
    "capacity holds volume": ("passt", "fassungsvermogen", "kapazitat", "装多少", "能装", "容量", "capacidad",
                              "cabe", "caben", "capacite", "contenir", "contient"),
    "size dimensions": ("grosse", "masse", "abmessung", "尺寸", "大小", "规格", "tamano", "dimension", "medida",
                        "taille"),
    # product rules
    "product safety": ("produktsicherheit", "产品安全", "seguridad de los productos", "securite des produits"),
    "CE marking conformity": ("ce kennzeichnung", "konformitat", "ce标志", "ce认证", "conformidad", "conformite"),
    "toys": ("spielzeug", "玩具", "juguete", "jouet"),
    "electronics": ("elektronik", "elektro", "电子", "电器", "electronico", "electronique"),
    "food contact": ("lebensmittel", "食品", "alimento", "alimentaire"),
    "chemicals REACH": ("chemikalie", "化学", "quimico", "chimique"),
    "plants animals phytosanitary": ("pflanze", "tier", "植物", "动物", "检疫", "planta", "animal", "plante"),
    # the platform and the bot
    "talk to a human person support staff agent": (
        "mitarbeiter", "mensch", "person", "support", "kundendienst", "berater", "人工", "客服", "真人",
        "工作人员", "agente", "humano", "persona", "soporte", "asesor", "conseiller", "humain", "personne",
        "agent", "assistance"),
    "talk contact ask connect hand over": ("sprechen", "spreche", "reden", "kontaktieren", "verbinden", "转人工",
                                            "转接", "联系", "沟通", "说话", "hablar", "contactar", "comunicar",
                                            "parler", "contacter", "joindre"),
    "step in progress": ("schritt", "vorgang", "步骤", "流程", "paso", "proceso", "etape", "processus"),
    "cancel stop step in progress": ("abbrechen", "stornieren", "stoppen", "取消", "停止", "退出", "cancelar",
                                     "anular", "detener", "annuler", "arreter"),
    "language": ("sprache", "语言", "中文", "idioma", "langue"),
    "help commands": ("hilfe", "befehl", "帮助", "命令", "指令", "ayuda", "comando", "aide", "commande"),
    "status": ("status", "状态", "进度", "estado", "statut"),
    "listing products": ("angebot", "inserat", "produkt", "listing", "商品", "产品", "上架", "发布", "producto",
                         "anuncio", "produit", "annonce"),
    "buyers sourcing requests": ("kaufer", "abnehmer", "买家", "采购", "comprador", "acheteur"),
    "customer buyer": ("kunde", "客户", "cliente", "client"),
    "quote booking tracking": ("angebot", "buchung", "sendungsverfolgung", "报价", "订舱", "追踪", "跟踪",
                               "cotizacion", "reserva", "seguimiento", "devis", "reservation", "suivi"),
    "bot": ("bot", "机器人", "tradebot"),
}


# Words that frame a question rather than name its subject; they do not count in
# ``Passage.coverage`` (tokenized forms: folded, crude plural stripping).
QUESTION_WORDS = frozenset(tokenize(
    "difference differences between versus vs compare comparison mean meaning means explain define definition "
    "unterschied unterschiede zwischen vergleich bedeutet bedeutung erklaren erklare "
    "diferencia diferencias entre significa significado explicar explica "
    "difference differences entre signifie signification expliquer explique quoi "
) + ["区别", "不同", "差别", "什么", "意思", "是", "的", "和", "有", "吗", "怎么", "如何", "哪些", "呢"])


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    out = []
    for english, terms in GLOSSARY.items():
        for term in terms:
            folded = fold(term)
            if has_cjk(folded):
                out.append((re.compile(re.escape(folded)), english))
            else:
                tail = "" if len(folded) >= 5 else r"(?![a-z])"
                out.append((re.compile(r"(?<![a-z0-9])" + re.escape(folded) + tail), english))
    return out


def english_concepts(question: str, language: str | None) -> list[str]:
    """The English key terms of a de/zh/es/fr question, one string per concept found.

    Codes, numbers and Latin acronyms in the question (``IOSS``, ``22``, ``D/P``) are
    concepts of their own, so that the English query also matches them. Empty for
    English questions and when no glossary term occurs.
    """
    if not language or language == "en":
        return []
    text = fold(question)
    words = [english for pattern, english in _patterns() if pattern.search(text)]
    keep = re.findall(r"[A-Z][A-Z0-9/.]{1,}|\d+(?:[.,]\d+)?", question)
    if not words and not any(k[0].isalpha() for k in keep):
        return []
    return list(dict.fromkeys(words + keep))


def english_terms(question: str, language: str | None) -> str:
    """``english_concepts`` as one English query string ("" when there are none)."""
    return " ".join(english_concepts(question, language))
