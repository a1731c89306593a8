"""The "double-hundred" domain: capability tags, sectors, regions and name words.

Everything here is data, drawn from the China–Pakistan "Double Hundred Enterprises" programme
as the press describes it: Chinese technology firms (AI, big data, cloud, robotics, new energy,
semiconductors, optoelectronics, biotech, healthcare technology, EVs, e-commerce) from Beijing,
Shanghai, Guangdong, Jiangsu and Huzhou in Zhejiang, and Pakistani exporters and service firms
(textiles, surgical instruments, sports goods, leather, IT services, fintech, logistics,
agriculture, pharmaceuticals) from Sialkot, Lahore, Karachi, Islamabad and Faisalabad.

The sector profiles are written so that one side's typical *needs* are the other side's typical
*capabilities*: a Sialkot surgical-instrument maker needs precision machining, automation,
computer-vision quality checks and export channels to China, which Chinese robotics,
optoelectronics and e-commerce firms offer; a Chinese robotics firm needs market access in
Pakistan, assembly partners and skilled labour, which Pakistani manufacturers offer. The
generator adds noise and off-profile tags on top, so complementary sector pairs score higher
*on average* without every pair being predictable.

Levels in the profiles are the mean level of a tag among the sector's enterprises, in (0, 1].
All names are invented word lists; no real company is named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CN_BASE_CAPS",
    "CN_BASE_NEEDS",
    "CN_CITIES",
    "CN_QUALIFIERS",
    "CN_REGIONS",
    "CN_ROOTS",
    "CN_SECTORS",
    "CN_SIZE_WEIGHTS",
    "CN_SUFFIXES",
    "PK_BASE_CAPS",
    "PK_BASE_NEEDS",
    "PK_CITIES",
    "PK_QUALIFIERS",
    "PK_REGIONS",
    "PK_ROOTS",
    "PK_SECTORS",
    "PK_SIZE_WEIGHTS",
    "PK_SUFFIXES",
    "TAG_GROUPS",
    "SectorProfile",
]

#: Every capability tag of the domain, mapped to the sector group it belongs to (59 tags).
TAG_GROUPS: dict[str, str] = {
    # artificial intelligence
    "computer-vision": "AI",
    "machine-learning": "AI",
    "speech-and-language": "AI",
    "data-annotation": "AI",
    # data, cloud and software
    "big-data-analytics": "data and cloud",
    "cloud-hosting": "data and cloud",
    "cybersecurity": "data and cloud",
    "erp-integration": "data and cloud",
    "software-development": "data and cloud",
    "precision-agriculture": "data and cloud",
    # robotics and automation
    "industrial-robots": "robotics",
    "factory-automation": "robotics",
    "precision-machining": "robotics",
    "iot-sensors": "robotics",
    "textile-machinery": "robotics",
    # energy
    "solar-pv": "energy",
    "battery-storage": "energy",
    "energy-efficiency": "energy",
    "smart-grid": "energy",
    # electronics
    "chip-design": "electronics",
    "electronics-manufacturing": "electronics",
    "photonics": "electronics",
    # electric mobility
    "ev-drivetrains": "mobility",
    "ev-charging": "mobility",
    # health
    "biotech-rnd": "health",
    "diagnostics": "health",
    "medical-devices": "health",
    "clinical-trials": "health",
    "generic-pharma": "health",
    "drug-registration": "health",
    # digital commerce
    "e-commerce-platforms": "commerce",
    "digital-marketing": "commerce",
    "mobile-payments": "commerce",
    "cross-border-payments": "commerce",
    # finance
    "investment-capital": "finance",
    "trade-finance": "finance",
    # textiles
    "garment-manufacturing": "textiles",
    "technical-textiles": "textiles",
    # light manufacturing (Sialkot's clusters and leather)
    "surgical-instruments": "manufacturing",
    "precision-forging": "manufacturing",
    "sports-goods": "manufacturing",
    "leather-tanning": "manufacturing",
    "leather-goods": "manufacturing",
    # logistics
    "cold-chain": "logistics",
    "warehousing": "logistics",
    "freight-forwarding": "logistics",
    "last-mile-delivery": "logistics",
    # agriculture and food
    "agri-produce": "agriculture",
    "food-processing": "agriculture",
    "halal-certification": "agriculture",
    # market access
    "market-access-pakistan": "market access",
    "market-access-china": "market access",
    "export-channels": "market access",
    "local-distribution": "market access",
    "government-liaison": "market access",
    # people and quality
    "skilled-labour": "workforce",
    "engineering-talent": "workforce",
    "assembly-partners": "workforce",
    "technical-training": "workforce",
    "quality-certification": "workforce",
}


@dataclass(frozen=True)
class SectorProfile:
    """What a typical enterprise of one sector looks like.

    Attributes
    ----------
    name
        The sector's name as it appears in ``Enterprise.sector``.
    weight
        Relative frequency of the sector on its side.
    regions
        Relative frequency of each region within the sector (regional concentration).
    caps, needs
        Mean level of each typical capability and need, in (0, 1].
    size_bias
        Shifts the side's size distribution towards large (> 0) or micro (< 0) firms.
    words
        Words that name the sector in company names ("Surgical", "New Energy").
    activity
        A short phrase for descriptions ("surgical instrument maker").
    """

    name: str
    weight: float
    regions: dict[str, float]
    caps: dict[str, float]
    needs: dict[str, float]
    size_bias: float = 0.0
    words: tuple[str, ...] = field(default_factory=tuple)
    activity: str = ""


CN_REGIONS: tuple[str, ...] = ("Beijing", "Zhejiang (Huzhou)", "Shanghai", "Guangdong", "Jiangsu")
PK_REGIONS: tuple[str, ...] = ("Sialkot", "Lahore", "Karachi", "Islamabad", "Faisalabad")

#: Size distribution (micro, small, medium, large): the Chinese side is selected among
#: established technology firms; the Pakistani side is mostly SMEs.
CN_SIZE_WEIGHTS: tuple[float, float, float, float] = (0.10, 0.30, 0.35, 0.25)
PK_SIZE_WEIGHTS: tuple[float, float, float, float] = (0.22, 0.40, 0.27, 0.11)

#: What most enterprises of a side offer or need whatever their sector (drawn less often than
#: sector tags): Chinese firms bring capital and access to China and seek a foothold in
#: Pakistan; Pakistani firms bring local access and labour and seek capital and access to China.
CN_BASE_CAPS: dict[str, float] = {"market-access-china": 0.5, "investment-capital": 0.45}
CN_BASE_NEEDS: dict[str, float] = {"market-access-pakistan": 0.5, "government-liaison": 0.3}
PK_BASE_CAPS: dict[str, float] = {"market-access-pakistan": 0.6, "government-liaison": 0.4}
PK_BASE_NEEDS: dict[str, float] = {"market-access-china": 0.45, "investment-capital": 0.4}

# Region order: Beijing, Zhejiang (Huzhou), Shanghai, Guangdong, Jiangsu.
CN_SECTORS: tuple[SectorProfile, ...] = (
    SectorProfile(
        "AI",
        0.13,
        dict(zip(CN_REGIONS, (0.45, 0.05, 0.30, 0.15, 0.05), strict=True)),
        caps={
            "computer-vision": 0.85,
            "machine-learning": 0.85,
            "speech-and-language": 0.55,
            "big-data-analytics": 0.5,
            "precision-agriculture": 0.3,
        },
        needs={
            "data-annotation": 0.75,
            "software-development": 0.6,
            "engineering-talent": 0.55,
        },
        words=("Intelligence", "AI", "Smart Vision", "Cognitive"),
        activity="AI developer",
    ),
    SectorProfile(
        "big data",
        0.08,
        dict(zip(CN_REGIONS, (0.35, 0.20, 0.15, 0.20, 0.10), strict=True)),
        caps={
            "big-data-analytics": 0.85,
            "machine-learning": 0.5,
            "cloud-hosting": 0.45,
            "erp-integration": 0.45,
            "precision-agriculture": 0.45,
        },
        needs={
            "software-development": 0.65,
            "data-annotation": 0.5,
            "engineering-talent": 0.5,
        },
        words=("Data", "Big Data", "Analytics", "Datatech"),
        activity="big-data analytics firm",
    ),
    SectorProfile(
        "cloud computing",
        0.08,
        dict(zip(CN_REGIONS, (0.35, 0.20, 0.15, 0.25, 0.05), strict=True)),
        caps={
            "cloud-hosting": 0.9,
            "cybersecurity": 0.65,
            "erp-integration": 0.6,
            "big-data-analytics": 0.4,
        },
        needs={
            "software-development": 0.6,
            "local-distribution": 0.5,
            "engineering-talent": 0.45,
            "mobile-payments": 0.3,
        },
        size_bias=0.3,
        words=("Cloud", "Cloudtech", "Cloud Computing"),
        activity="cloud services provider",
    ),
    SectorProfile(
        "robotics",
        0.10,
        dict(zip(CN_REGIONS, (0.10, 0.10, 0.20, 0.35, 0.25), strict=True)),
        caps={
            "industrial-robots": 0.9,
            "factory-automation": 0.8,
            "precision-machining": 0.65,
            "textile-machinery": 0.5,
            "iot-sensors": 0.45,
            "technical-training": 0.4,
        },
        needs={
            "assembly-partners": 0.7,
            "skilled-labour": 0.65,
            "local-distribution": 0.55,
        },
        words=("Robotics", "Automation", "Intelligent Equipment"),
        activity="robotics and automation maker",
    ),
    SectorProfile(
        "new energy",
        0.12,
        dict(zip(CN_REGIONS, (0.05, 0.35, 0.10, 0.15, 0.35), strict=True)),
        caps={
            "solar-pv": 0.85,
            "battery-storage": 0.8,
            "energy-efficiency": 0.65,
            "smart-grid": 0.5,
        },
        needs={
            "local-distribution": 0.6,
            "assembly-partners": 0.5,
            "skilled-labour": 0.45,
            "trade-finance": 0.35,
        },
        size_bias=0.3,
        words=("Energy", "New Energy", "Power", "Solar"),
        activity="new-energy manufacturer",
    ),
    SectorProfile(
        "semiconductors",
        0.07,
        dict(zip(CN_REGIONS, (0.15, 0.05, 0.35, 0.15, 0.30), strict=True)),
        caps={
            "chip-design": 0.9,
            "electronics-manufacturing": 0.7,
            "iot-sensors": 0.45,
        },
        needs={
            "engineering-talent": 0.6,
            "software-development": 0.45,
            "quality-certification": 0.3,
        },
        size_bias=0.5,
        words=("Microelectronics", "Semiconductor", "Chip"),
        activity="semiconductor company",
    ),
    SectorProfile(
        "optoelectronics",
        0.06,
        dict(zip(CN_REGIONS, (0.10, 0.30, 0.10, 0.30, 0.20), strict=True)),
        caps={
            "photonics": 0.85,
            "electronics-manufacturing": 0.55,
            "computer-vision": 0.4,
            "precision-machining": 0.35,
        },
        needs={
            "assembly-partners": 0.5,
            "local-distribution": 0.5,
            "skilled-labour": 0.4,
        },
        words=("Optoelectronics", "Photonics", "Laser"),
        activity="optoelectronics maker",
    ),
    SectorProfile(
        "biotech",
        0.07,
        dict(zip(CN_REGIONS, (0.30, 0.05, 0.35, 0.05, 0.25), strict=True)),
        caps={
            "biotech-rnd": 0.85,
            "diagnostics": 0.6,
            "clinical-trials": 0.45,
        },
        needs={
            "drug-registration": 0.65,
            "generic-pharma": 0.45,
            "local-distribution": 0.45,
        },
        words=("Biotech", "Bio-Pharma", "Life Sciences"),
        activity="biotechnology company",
    ),
    SectorProfile(
        "healthcare technology",
        0.08,
        dict(zip(CN_REGIONS, (0.20, 0.30, 0.25, 0.15, 0.10), strict=True)),
        caps={
            "medical-devices": 0.8,
            "diagnostics": 0.7,
            "machine-learning": 0.4,
            "cloud-hosting": 0.3,
        },
        needs={
            "local-distribution": 0.6,
            "drug-registration": 0.5,
            "surgical-instruments": 0.45,
            "clinical-trials": 0.4,
        },
        words=("Medical", "Health Technology", "Meditech"),
        activity="healthcare-technology firm",
    ),
    SectorProfile(
        "EVs",
        0.08,
        dict(zip(CN_REGIONS, (0.10, 0.20, 0.20, 0.35, 0.15), strict=True)),
        caps={
            "ev-drivetrains": 0.9,
            "ev-charging": 0.75,
            "battery-storage": 0.6,
            "electronics-manufacturing": 0.4,
        },
        needs={
            "assembly-partners": 0.6,
            "local-distribution": 0.55,
            "skilled-labour": 0.5,
            "last-mile-delivery": 0.45,  # delivery fleets as launch customers
            "trade-finance": 0.3,
        },
        size_bias=0.4,
        words=("Motors", "New Energy Vehicle", "E-Mobility"),
        activity="electric-vehicle maker",
    ),
    SectorProfile(
        "e-commerce",
        0.13,
        dict(zip(CN_REGIONS, (0.15, 0.35, 0.15, 0.30, 0.05), strict=True)),
        caps={
            "e-commerce-platforms": 0.9,
            "export-channels": 0.75,
            "digital-marketing": 0.7,
            "cross-border-payments": 0.6,
            "warehousing": 0.3,
        },
        needs={
            "garment-manufacturing": 0.55,
            "sports-goods": 0.5,
            "leather-goods": 0.5,
            "freight-forwarding": 0.45,
            "agri-produce": 0.3,
        },
        words=("E-Commerce", "Digital Trade", "Online Trading"),
        activity="cross-border e-commerce platform",
    ),
)

# Region order: Sialkot, Lahore, Karachi, Islamabad, Faisalabad.
PK_SECTORS: tuple[SectorProfile, ...] = (
    SectorProfile(
        "textiles",
        0.18,
        dict(zip(PK_REGIONS, (0.03, 0.25, 0.25, 0.02, 0.45), strict=True)),
        caps={
            "garment-manufacturing": 0.85,
            "technical-textiles": 0.5,
            "skilled-labour": 0.6,
            "assembly-partners": 0.4,
        },
        needs={
            "textile-machinery": 0.75,
            "energy-efficiency": 0.65,
            "solar-pv": 0.55,
            "factory-automation": 0.45,
            "export-channels": 0.5,
            "e-commerce-platforms": 0.4,
        },
        size_bias=0.3,
        words=("Textile Mills", "Weaving", "Apparel", "Fabrics"),
        activity="textile and apparel manufacturer",
    ),
    SectorProfile(
        "surgical instruments",
        0.10,
        dict(zip(PK_REGIONS, (0.85, 0.07, 0.05, 0.01, 0.02), strict=True)),
        caps={
            "surgical-instruments": 0.9,
            "precision-forging": 0.8,
            "skilled-labour": 0.7,
            "quality-certification": 0.55,
            "assembly-partners": 0.45,
        },
        needs={
            "precision-machining": 0.7,
            "factory-automation": 0.6,
            "computer-vision": 0.55,
            "export-channels": 0.5,
            "photonics": 0.3,
        },
        words=("Surgical", "Precision Surgical", "Medical Instruments"),
        activity="surgical instrument maker",
    ),
    SectorProfile(
        "sports goods",
        0.10,
        dict(zip(PK_REGIONS, (0.80, 0.10, 0.07, 0.01, 0.02), strict=True)),
        caps={
            "sports-goods": 0.9,
            "skilled-labour": 0.65,
            "leather-goods": 0.4,
            "assembly-partners": 0.45,
            "quality-certification": 0.4,
        },
        needs={
            "e-commerce-platforms": 0.6,
            "export-channels": 0.6,
            "digital-marketing": 0.5,
            "industrial-robots": 0.4,
            "factory-automation": 0.4,
        },
        words=("Sports", "Sportswear", "Athletic Goods"),
        activity="sports goods manufacturer",
    ),
    SectorProfile(
        "leather",
        0.09,
        dict(zip(PK_REGIONS, (0.30, 0.25, 0.40, 0.01, 0.04), strict=True)),
        caps={
            "leather-goods": 0.8,
            "leather-tanning": 0.75,
            "skilled-labour": 0.6,
            "assembly-partners": 0.35,
        },
        needs={
            "export-channels": 0.6,
            "e-commerce-platforms": 0.55,
            "factory-automation": 0.45,
            "energy-efficiency": 0.4,
            "digital-marketing": 0.35,
        },
        words=("Leather", "Tanneries", "Leather Works"),
        activity="leather goods maker",
    ),
    SectorProfile(
        "IT services",
        0.16,
        dict(zip(PK_REGIONS, (0.01, 0.35, 0.22, 0.40, 0.02), strict=True)),
        caps={
            "software-development": 0.85,
            "data-annotation": 0.7,
            "engineering-talent": 0.7,
            "erp-integration": 0.4,
        },
        needs={
            "cloud-hosting": 0.6,
            "machine-learning": 0.55,
            "big-data-analytics": 0.45,
            "technical-training": 0.4,
        },
        size_bias=-0.3,
        words=("Soft", "Technologies", "Digital Solutions", "IT Services"),
        activity="software and IT services firm",
    ),
    SectorProfile(
        "fintech",
        0.08,
        dict(zip(PK_REGIONS, (0.01, 0.25, 0.45, 0.28, 0.01), strict=True)),
        caps={
            "mobile-payments": 0.85,
            "software-development": 0.5,
            "local-distribution": 0.45,
        },
        needs={
            "cybersecurity": 0.65,
            "cloud-hosting": 0.6,
            "big-data-analytics": 0.5,
            "machine-learning": 0.45,
            "cross-border-payments": 0.5,
        },
        size_bias=-0.4,
        words=("Pay", "Fintech", "Digital Finance"),
        activity="fintech company",
    ),
    SectorProfile(
        "logistics",
        0.09,
        dict(zip(PK_REGIONS, (0.07, 0.20, 0.55, 0.10, 0.08), strict=True)),
        caps={
            "freight-forwarding": 0.8,
            "warehousing": 0.75,
            "local-distribution": 0.75,
            "last-mile-delivery": 0.65,
            "cold-chain": 0.5,
        },
        needs={
            "ev-drivetrains": 0.5,
            "ev-charging": 0.45,
            "iot-sensors": 0.5,
            "big-data-analytics": 0.35,
            "e-commerce-platforms": 0.35,
        },
        size_bias=0.2,
        words=("Logistics", "Cargo", "Freight Services"),
        activity="logistics provider",
    ),
    SectorProfile(
        "agriculture",
        0.11,
        dict(zip(PK_REGIONS, (0.10, 0.25, 0.20, 0.05, 0.40), strict=True)),
        caps={
            "agri-produce": 0.85,
            "halal-certification": 0.6,
            "food-processing": 0.5,
            "cold-chain": 0.3,
            "skilled-labour": 0.4,
        },
        needs={
            "solar-pv": 0.55,
            "precision-agriculture": 0.55,
            "iot-sensors": 0.4,
            "export-channels": 0.5,
            "e-commerce-platforms": 0.3,
        },
        words=("Agro", "Foods", "Agri Farms", "Agritech"),
        activity="agribusiness",
    ),
    SectorProfile(
        "pharmaceuticals",
        0.09,
        dict(zip(PK_REGIONS, (0.01, 0.35, 0.45, 0.15, 0.04), strict=True)),
        caps={
            "generic-pharma": 0.85,
            "drug-registration": 0.7,
            "local-distribution": 0.6,
            "clinical-trials": 0.5,
            "halal-certification": 0.3,
        },
        needs={
            "biotech-rnd": 0.6,
            "diagnostics": 0.5,
            "medical-devices": 0.45,
            "factory-automation": 0.3,
        },
        size_bias=0.2,
        words=("Pharma", "Pharmaceuticals", "Laboratories", "Life Care"),
        activity="pharmaceutical manufacturer",
    ),
)

#: Cities used as the first word of company names, per region.
CN_CITIES: dict[str, tuple[str, ...]] = {
    "Beijing": ("Beijing",),
    "Zhejiang (Huzhou)": ("Huzhou", "Deqing", "Changxing", "Anji"),
    "Shanghai": ("Shanghai",),
    "Guangdong": ("Shenzhen", "Guangzhou", "Dongguan", "Foshan"),
    "Jiangsu": ("Suzhou", "Wuxi", "Changzhou", "Nanjing"),
}
PK_CITIES: dict[str, tuple[str, ...]] = {region: (region,) for region in PK_REGIONS}

#: Invented brand words; combined with a city and a sector word they name no real company.
CN_ROOTS: tuple[str, ...] = (
    "Newlight", "Bluepeak", "Jinrui", "Haochen", "Xinghe", "Tianyu", "Ruiheng", "Mingkai",
    "Yunlan", "Boxin", "Qingtai", "Hengyue", "Zhuoxin", "Lanfeng", "Silverleaf", "Brightcore",
    "Cloudstone", "Kaiyuan", "Shengyao", "Huiming", "Jiayi", "Longrui", "Suxin", "Taihu",
    "Nanhu", "Starbridge", "Greenmoor", "Deyi", "Fengrun", "Yaocheng", "Quanlin", "Weixing",
    "Zhenyu", "Xuanfeng", "Jingcai", "Ximeng", "Oriolux", "Redkite", "Pinecrest", "Yuhang",
    "Lianke", "Chengyao", "Meiqi", "Tongrui", "Wavelane",
)  # fmt: skip
PK_ROOTS: tuple[str, ...] = (
    "Chenab", "Margalla", "Basant", "Noor", "Kohsar", "Sitara", "Zarfishan", "Saffron",
    "Iqra", "Falaknaz", "Jhelum", "Rohtas", "Neelum", "Gulzar", "Roshan", "Barkat",
    "Sawan", "Qandeel", "Tabeer", "Sabz", "Mehtab", "Sarsabz", "Rahbar", "Sunehri",
    "Kiran", "Zeeshan", "Hilal", "Ufaq", "Bahar", "Darya", "Sohni", "Tarang", "Nayab",
    "Shandar", "Kamyab", "Mehran-e-Nau", "Roshni", "Sangam", "Nakhlistan", "Anmol", "Chinar",
    "Pukhta", "Dilkash", "Afaq", "Fiza",
)  # fmt: skip
#: Optional words between the sector word and the legal suffix ("" leaves it out).
CN_QUALIFIERS: tuple[str, ...] = ("", "", "", "Innovation", "Hi-Tech", "International")
PK_QUALIFIERS: tuple[str, ...] = ("", "", "", "International", "Exports", "Traders", "Global")
CN_SUFFIXES: tuple[str, ...] = ("Co., Ltd.", "Technology Co., Ltd.", "Group Co.", "Co.")
PK_SUFFIXES: tuple[str, ...] = ("(Pvt) Ltd", "Industries", "(Pvt) Ltd", "& Co.", "Enterprises")
