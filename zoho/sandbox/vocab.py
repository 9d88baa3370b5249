"""Word lists for realistic records: an Iraqi electronics and accessories wholesaler."""
from __future__ import annotations

# (English product type, Arabic product type, category, typical USD price range)
PRODUCTS: list[tuple[str, str, str, tuple[float, float]]] = [
    ("USB-C Charger 20W", "شاحن USB-C 20 واط", "Chargers", (3.0, 14.0)),
    ("USB-C Charger 65W GaN", "شاحن 65 واط GaN", "Chargers", (12.0, 38.0)),
    ("Car Charger Dual USB", "شاحن سيارة مزدوج", "Chargers", (2.5, 11.0)),
    ("Wireless Charger Pad 15W", "شاحن لاسلكي 15 واط", "Chargers", (6.0, 25.0)),
    ("Lightning Cable 1m", "كيبل لايتنينغ 1 متر", "Cables", (1.2, 9.0)),
    ("USB-C to USB-C Cable 2m", "كيبل تايب سي 2 متر", "Cables", (1.5, 12.0)),
    ("Micro USB Cable 1m", "كيبل مايكرو يو اس بي", "Cables", (0.6, 4.0)),
    ("HDMI Cable 4K 3m", "كيبل HDMI 4K 3 متر", "Cables", (2.0, 15.0)),
    ("Power Bank 10000mAh", "باور بانك 10000 مللي أمبير", "Power Banks", (8.0, 30.0)),
    ("Power Bank 20000mAh PD", "باور بانك 20000 مللي أمبير", "Power Banks", (14.0, 48.0)),
    ("Bluetooth Earbuds", "سماعات بلوتوث", "Audio", (6.0, 90.0)),
    ("Wired Earphones 3.5mm", "سماعات سلكية", "Audio", (1.0, 12.0)),
    ("Over-Ear Headphones", "سماعات رأس", "Audio", (12.0, 120.0)),
    ("Bluetooth Speaker Mini", "سماعة بلوتوث صغيرة", "Audio", (7.0, 45.0)),
    ("Smart Watch Strap 44mm", "حزام ساعة ذكية 44 ملم", "Wearables", (1.5, 10.0)),
    ("Smart Watch", "ساعة ذكية", "Wearables", (18.0, 160.0)),
    ("Tempered Glass Screen Protector", "واقي شاشة زجاجي", "Protection", (0.4, 4.0)),
    ("Silicone Phone Case", "كفر سيليكون", "Protection", (0.8, 7.0)),
    ("Rugged Armor Case", "كفر حماية مقوى", "Protection", (1.5, 12.0)),
    ("Memory Card 64GB", "بطاقة ذاكرة 64 جيجا", "Storage", (4.0, 14.0)),
    ("USB Flash Drive 32GB", "فلاش ميموري 32 جيجا", "Storage", (3.0, 10.0)),
    ("External SSD 1TB", "هارد خارجي SSD 1 تيرا", "Storage", (45.0, 120.0)),
    ("Wireless Mouse", "ماوس لاسلكي", "Computer Accessories", (3.0, 25.0)),
    ("Mechanical Keyboard", "كيبورد ميكانيكي", "Computer Accessories", (15.0, 85.0)),
    ("Laptop Stand Aluminium", "حامل لابتوب ألمنيوم", "Computer Accessories", (8.0, 35.0)),
    ("USB Hub 4-Port", "موزع USB رباعي", "Computer Accessories", (4.0, 22.0)),
    ("Wi-Fi Router AC1200", "راوتر واي فاي AC1200", "Networking", (18.0, 70.0)),
    ("Wi-Fi Extender", "مقوي واي فاي", "Networking", (9.0, 35.0)),
    ("Phone Holder Car Vent", "حامل موبايل للسيارة", "Car Accessories", (1.5, 9.0)),
    ("Ring Light 10 inch", "إضاءة رنغ لايت 10 إنش", "Photography", (6.0, 28.0)),
    ("Selfie Stick Tripod", "عصا سيلفي ترايبود", "Photography", (3.0, 18.0)),
    ("Gaming Controller", "يد تحكم ألعاب", "Gaming", (9.0, 60.0)),
]
BRANDS = ["Anker", "Baseus", "Ugreen", "Xiaomi", "Samsung", "Apple", "Joyroom", "Hoco", "Borofone", "Remax",
          "Lenovo", "JBL", "Sandisk", "Kingston", "TP-Link", "Logitech", "Haylou", "Oraimo"]
MANUFACTURERS = {"Apple": "Apple Inc.", "Samsung": "Samsung Electronics", "Xiaomi": "Xiaomi Corp.",
                 "Lenovo": "Lenovo Group", "JBL": "Harman International", "Sandisk": "Western Digital"}
COLOURS = [("Black", "أسود"), ("White", "أبيض"), ("Blue", "أزرق"), ("Red", "أحمر"), ("Grey", "رمادي"),
           ("Green", "أخضر"), ("Pink", "وردي"), ("Gold", "ذهبي")]
UNITS = ["pcs", "pcs", "pcs", "box", "pack"]

WAREHOUSES = [("Baghdad Main Warehouse", "Baghdad"), ("Basra Branch", "Basra"), ("Erbil Store", "Erbil"),
              ("Mosul Depot", "Mosul"), ("Najaf Showroom", "Najaf")]
PRICEBOOKS = [("Consumer", "per_item"), ("Wholesale", "per_item"), ("Partner", "per_item"),
              ("Distributor", "fixed_percentage"), ("Ramadan Promo", "fixed_percentage")]

CITIES = ["Baghdad", "Basra", "Erbil", "Mosul", "Najaf", "Karbala", "Sulaymaniyah", "Kirkuk", "Hillah", "Nasiriyah"]
FIRST_NAMES = [("Ali", "علي"), ("Hussein", "حسين"), ("Mohammed", "محمد"), ("Ahmed", "أحمد"), ("Omar", "عمر"),
               ("Zainab", "زينب"), ("Fatima", "فاطمة"), ("Mustafa", "مصطفى"), ("Hassan", "حسن"), ("Noor", "نور"),
               ("Karrar", "كرار"), ("Abbas", "عباس"), ("Sara", "سارة"), ("Haider", "حيدر"), ("Yousif", "يوسف")]
LAST_NAMES = [("Al-Rubaie", "الربيعي"), ("Al-Jubouri", "الجبوري"), ("Al-Saadi", "الساعدي"), ("Kadhim", "كاظم"),
              ("Al-Tamimi", "التميمي"), ("Al-Obaidi", "العبيدي"), ("Jasim", "جاسم"), ("Al-Khafaji", "الخفاجي")]
SHOP_WORDS = [("Mobile Center", "مركز موبايل"), ("Electronics", "للإلكترونيات"), ("Trading Co.", "للتجارة"),
              ("Accessories", "للإكسسوارات"), ("Digital Store", "المتجر الرقمي"), ("Tech House", "بيت التقنية")]
VENDOR_NAMES = ["Shenzhen {} Technology Co.", "Guangzhou {} Electronics Ltd.", "Dubai {} General Trading LLC",
                "{} Distribution FZE", "Istanbul {} Dis Ticaret"]
PAYMENT_MODES = ["cash", "banktransfer", "check", "creditcard"]
ADJUSTMENT_REASONS = ["Damaged goods", "Stock count correction", "Returned to vendor", "Theft or loss",
                      "Opening stock"]
