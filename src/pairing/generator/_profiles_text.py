"""Free-text profiles and stated interest for generated programmes (``--text``,
``--preferences``).

*Texts.* Each enterprise describes what it offers and what it needs in a sentence built from
its strongest tags (at most three), in English (55 %), in Chinese (25 %) or in both (20 %), as
organisers receive them: English "We offer cold-chain logistics and warehousing." Chinese
"我们提供冷链物流和仓储服务。". Phrases come in a few wordings per tag, so two enterprises with the
same tag do not always write it the same way.

*Past cooperation* (``history``): an extra score matrix in which about 3 % of the pairs have
worked together before (more often pairs that complement each other), rated 0.3 to 1; every
other cell is empty (no information).

*Stated interest.* About 1.5 statements per enterprise (a few percent of the pairs at 100 ×
100): each enterprise names partners among its ten best-scoring ones, mostly ``high`` or
``medium``, sometimes ``low`` or a number; one enterprise in fifteen vetoes one partner drawn
at random.

One ``numpy.random.Generator`` drives everything; the loops are over enterprises, never pairs.
"""

from __future__ import annotations

import numpy as np

from pairing.model.programme import Enterprise, Preference, Programme, Source

__all__ = ["TAG_PHRASES", "with_history", "with_preferences", "with_texts"]

#: Tag → (English wordings, Chinese wording).
TAG_PHRASES: dict[str, tuple[tuple[str, ...], str]] = {
    "computer-vision": (("computer vision", "machine vision inspection"), "机器视觉检测"),
    "machine-learning": (("machine learning", "AI models"), "机器学习"),
    "speech-and-language": (("speech and language technology",), "语音与语言技术"),
    "data-annotation": (("data annotation", "data labelling"), "数据标注"),
    "big-data-analytics": (("big-data analytics", "data analytics"), "大数据分析"),
    "cloud-hosting": (("cloud hosting", "cloud computing"), "云计算服务"),
    "cybersecurity": (("cybersecurity",), "网络安全"),
    "erp-integration": (("ERP integration",), "ERP系统集成"),
    "software-development": (("software development", "custom software"), "软件开发"),
    "precision-agriculture": (("precision agriculture", "smart farming"), "精准农业"),
    "industrial-robots": (("industrial robots", "robotic arms"), "工业机器人"),
    "factory-automation": (("factory automation",), "工厂自动化"),
    "precision-machining": (("precision machining", "CNC machining"), "精密加工"),
    "iot-sensors": (("IoT sensors",), "物联网传感器"),
    "textile-machinery": (("textile machinery", "looms and knitting machines"), "纺织机械"),
    "solar-pv": (("solar PV", "solar panels"), "光伏发电"),
    "battery-storage": (("battery storage", "energy storage"), "储能电池"),
    "energy-efficiency": (("energy efficiency",), "节能改造"),
    "smart-grid": (("smart grid",), "智能电网"),
    "chip-design": (("chip design",), "芯片设计"),
    "electronics-manufacturing": (("electronics manufacturing",), "电子制造"),
    "photonics": (("photonics", "optoelectronics"), "光电子"),
    "ev-drivetrains": (("EV drivetrains",), "电动车驱动系统"),
    "ev-charging": (("EV charging",), "电动车充电"),
    "biotech-rnd": (("biotech R&D",), "生物技术研发"),
    "diagnostics": (("diagnostics", "diagnostic kits"), "诊断试剂"),
    "medical-devices": (("medical devices",), "医疗器械"),
    "clinical-trials": (("clinical trials",), "临床试验"),
    "generic-pharma": (("generic medicines",), "仿制药"),
    "drug-registration": (("drug registration",), "药品注册"),
    "e-commerce-platforms": (("e-commerce platforms", "online marketplaces"), "电商平台"),
    "digital-marketing": (("digital marketing",), "数字营销"),
    "mobile-payments": (("mobile payments",), "移动支付"),
    "cross-border-payments": (("cross-border payments",), "跨境支付"),
    "investment-capital": (("investment capital",), "投资资本"),
    "trade-finance": (("trade finance",), "贸易融资"),
    "garment-manufacturing": (("garment manufacturing", "apparel production"), "服装制造"),
    "technical-textiles": (("technical textiles",), "产业用纺织品"),
    "surgical-instruments": (("surgical instruments",), "手术器械"),
    "precision-forging": (("precision forging",), "精密锻造"),
    "sports-goods": (("sports goods", "footballs and sportswear"), "体育用品"),
    "leather-tanning": (("leather tanning",), "皮革鞣制"),
    "leather-goods": (("leather goods",), "皮具制品"),
    "cold-chain": (("cold-chain logistics", "cold chain"), "冷链物流"),
    "warehousing": (("warehousing",), "仓储服务"),
    "freight-forwarding": (("freight forwarding",), "货运代理"),
    "last-mile-delivery": (("last-mile delivery",), "末端配送"),
    "agri-produce": (("agricultural produce", "fruit and rice"), "农产品"),
    "food-processing": (("food processing",), "食品加工"),
    "halal-certification": (("halal certification",), "清真认证"),
    "market-access-pakistan": (("market access in Pakistan",), "巴基斯坦市场准入"),
    "market-access-china": (("market access in China",), "中国市场准入"),
    "export-channels": (("export channels",), "出口渠道"),
    "local-distribution": (("local distribution",), "本地分销"),
    "government-liaison": (("government liaison",), "政府事务对接"),
    "skilled-labour": (("skilled labour",), "熟练劳动力"),
    "engineering-talent": (("engineering talent",), "工程人才"),
    "assembly-partners": (("assembly partners",), "组装合作伙伴"),
    "technical-training": (("technical training",), "技术培训"),
    "quality-certification": (("quality certification",), "质量认证"),
}

_OFFER_EN: tuple[str, ...] = ("We offer {}.", "Our strengths are {}.", "We provide {}.")
_NEED_EN: tuple[str, ...] = ("We are looking for {}.", "We seek partners in {}.", "We need {}.")
_OFFER_ZH: tuple[str, ...] = ("我们提供{}。", "公司优势在于{}。")
_NEED_ZH: tuple[str, ...] = ("我们寻求{}方面的合作。", "需要{}。")
_LANGUAGES = ("en", "zh", "both")
_LANGUAGE_WEIGHTS = (0.55, 0.25, 0.20)


def _join_en(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _sentence(
    rng: np.random.Generator, levels: dict[str, float], language: str, offer: bool
) -> str | None:
    tags = sorted((t for t in levels if t in TAG_PHRASES), key=lambda t: -levels[t])[:3]
    if not tags:
        return None
    parts = []
    if language in ("en", "both"):
        words = [TAG_PHRASES[t][0][int(rng.integers(len(TAG_PHRASES[t][0])))] for t in tags]
        templates = _OFFER_EN if offer else _NEED_EN
        parts.append(templates[int(rng.integers(len(templates)))].format(_join_en(words)))
    if language in ("zh", "both"):
        templates = _OFFER_ZH if offer else _NEED_ZH
        phrase = "、".join(TAG_PHRASES[t][1] for t in tags)
        parts.append(templates[int(rng.integers(len(templates)))].format(phrase))
    return " ".join(parts)


def _describe(rng: np.random.Generator, enterprises: list[Enterprise]) -> list[Enterprise]:
    languages = rng.choice(len(_LANGUAGES), size=len(enterprises), p=_LANGUAGE_WEIGHTS)
    return [
        e.model_copy(
            update={
                "offers_text": _sentence(rng, e.capabilities, _LANGUAGES[k], offer=True),
                "needs_text": _sentence(rng, e.needs, _LANGUAGES[k], offer=False),
            }
        )
        for e, k in zip(enterprises, languages.tolist(), strict=True)
    ]


def with_texts(programme: Programme, rng: np.random.Generator) -> Programme:
    """``programme`` with every enterprise's ``offers_text`` and ``needs_text`` written."""
    sides = {
        name: programme.side(name).model_copy(
            update={"enterprises": _describe(rng, programme.side(name).enterprises)}
        )
        for name in ("left", "right")
    }
    return programme.model_copy(update=sides)


def _statements(
    rng: np.random.Generator, score: np.ndarray, ids: list[str], others: list[str]
) -> list[Preference]:
    """Each row's enterprise states interest in some of its ten best-scoring partners."""
    top = min(10, score.shape[1])
    best = np.argsort(-score, axis=1, kind="stable")[:, :top]
    counts: list[int] = np.asarray(rng.poisson(1.5, size=score.shape[0])).tolist()
    levels = ("high", "high", "medium", "medium", "low", 0.8)
    found = []
    for row, count in enumerate(counts):
        picks = rng.permutation(best[row])[: min(count, top)].tolist()
        for col in picks:
            interest = levels[int(rng.integers(len(levels)))]
            found.append(Preference(from_=ids[row], to=others[col], interest=interest))
        if rng.random() < 1 / 15:
            col = int(rng.integers(score.shape[1]))
            if col not in picks:
                found.append(Preference(from_=ids[row], to=others[col], interest="veto"))
    return found


def with_preferences(programme: Programme, rng: np.random.Generator) -> Programme:
    """``programme`` with stated interest drawn from each enterprise's best partners."""
    from pairing.features import score_matrix

    score = np.nan_to_num(score_matrix(programme).score.astype(np.float64), nan=0.0)
    left, right = programme.left.ids, programme.right.ids
    found = _statements(rng, score, left, right) + _statements(rng, score.T, right, left)
    return programme.model_copy(update={"preferences": found})


def with_history(programme: Programme, rng: np.random.Generator) -> Programme:
    """``programme`` with a ``past-cooperation`` source (weight 0.3, file ``history.csv``)."""
    from pairing.features import score_matrix

    score = np.nan_to_num(score_matrix(programme).score.astype(np.float64), nan=0.0)
    chance = 0.03 * score / max(float(score.mean()), 1e-9)
    history = np.full(score.shape, np.nan)
    worked = rng.random(score.shape) < chance
    history[worked] = np.round(rng.uniform(0.3, 1.0, int(worked.sum())), 2)
    source = Source(name="past-cooperation", weight=0.3, file="history.csv", scores=history)
    rules = programme.rules.model_copy(update={"sources": [source]})
    return programme.model_copy(update={"rules": rules})
