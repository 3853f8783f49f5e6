//! The few words printed on receipts and the door sign, in every kiosk
//! language (the screens' texts are Slint translations; paper is drawn in
//! Rust).

use crate::domain::language::Language;

/// A printed word or sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    VisitorPass,
    Purpose,
    Name,
    Time,
    Reference,
    Record,
    OfficialReceipt,
    Agency,
    Officers,
    Document,
    PagesPhotographed,
    Seeking,
    KnowYourRights,
    ScanHint,
    Open,
    EveryoneWelcome,
    OfficialsOnSite,
    StaffResponding,
}

/// `w` in `lang`.
pub fn word(w: Word, lang: Language) -> &'static str {
    use Language::*;
    let row: [&str; 5] = match w {
        Word::VisitorPass => [
            "Visitor pass",
            "Pase de visitante",
            "Thẻ khách",
            "访客通行证",
            "Pass ng bisita",
        ],
        Word::Purpose => ["Purpose", "Motivo", "Mục đích", "事由", "Layunin"],
        Word::Name => ["Name", "Nombre", "Tên", "姓名", "Pangalan"],
        Word::Time => ["Time", "Hora", "Thời gian", "时间", "Oras"],
        Word::Record => ["Record", "Registro", "Hồ sơ", "记录", "Talaan"],
        Word::Reference => [
            "Reference",
            "Referencia",
            "Mã tham chiếu",
            "编号",
            "Reference",
        ],
        Word::OfficialReceipt => [
            "Receipt for your visit",
            "Comprobante de su visita",
            "Biên nhận chuyến đến",
            "来访回执",
            "Resibo ng inyong pagbisita",
        ],
        Word::Agency => ["Agency", "Agencia", "Cơ quan", "机构", "Ahensya"],
        Word::Officers => [
            "Officers",
            "Agentes",
            "Nhân viên công vụ",
            "执法人员",
            "Mga opisyal",
        ],
        Word::Document => [
            "Document presented",
            "Documento presentado",
            "Giấy tờ đã xuất trình",
            "出示的文件",
            "Dokumentong ipinakita",
        ],
        Word::PagesPhotographed => [
            "Pages photographed",
            "Páginas fotografiadas",
            "Số trang đã chụp",
            "已拍摄页数",
            "Mga pahinang kinunan ng larawan",
        ],
        Word::Seeking => [
            "Seeking",
            "Lo que buscan",
            "Đang tìm",
            "寻找的对象",
            "Hinahanap",
        ],
        Word::KnowYourRights => [
            "Know your rights",
            "Conozca sus derechos",
            "Tìm hiểu quyền của bạn",
            "了解您的权利",
            "Alamin ang inyong mga karapatan",
        ],
        Word::ScanHint => [
            "Free and confidential help. Scan a code with your phone.",
            "Ayuda gratuita y confidencial. Escanee un código con su teléfono.",
            "Trợ giúp miễn phí và bảo mật. Quét mã bằng điện thoại.",
            "免费、保密的帮助。用手机扫描二维码。",
            "Libre at kumpidensyal na tulong. I-scan ang code gamit ang telepono.",
        ],
        Word::Open => ["Open", "Abierto", "Mở cửa", "开放", "Bukas"],
        Word::EveryoneWelcome => [
            "Everyone is welcome",
            "Todos son bienvenidos",
            "Chào đón mọi người",
            "欢迎所有人",
            "Malugod na tinatanggap ang lahat",
        ],
        Word::OfficialsOnSite => [
            "Officials on site",
            "Funcionarios en el lugar",
            "Có nhân viên công vụ tại đây",
            "官员在场",
            "May mga opisyal dito",
        ],
        Word::StaffResponding => [
            "Staff and counsel are responding",
            "El personal y la asesoría jurídica están atendiendo",
            "Nhân viên và luật sư đang xử lý",
            "工作人员和法律顾问正在处理",
            "Tumutugon ang kawani at abogado",
        ],
    };
    row[match lang {
        English => 0,
        Spanish => 1,
        Vietnamese => 2,
        ChineseSimplified => 3,
        Tagalog => 4,
    }]
}
