//! The admin web's own words (navigation, headings, labels, messages) in
//! the kiosk's five languages. Record contents are shown as recorded.

use crate::domain::language::Language;

macro_rules! words {
    ($($key:ident: [$en:expr, $es:expr, $vi:expr, $zh:expr, $tl:expr $(,)?],)*) => {
        /// One language's words.
        pub struct Words { $(pub $key: &'static str,)* }
        const TABLE: [Words; 5] = [
            Words { $($key: $en,)* },
            Words { $($key: $es,)* },
            Words { $($key: $vi,)* },
            Words { $($key: $zh,)* },
            Words { $($key: $tl,)* },
        ];
        #[cfg(test)]
        fn all_texts(w: &Words) -> Vec<&'static str> { vec![$(w.$key,)*] }
    };
}

words! {
    admin: ["Threshold admin", "Administración de Threshold", "Quản trị Threshold", "Threshold 管理", "Admin ng Threshold"],
    nav_dashboard: ["Dashboard", "Resumen", "Tổng quan", "概览", "Buod"],
    nav_log: ["Check-in log", "Registro de entradas", "Nhật ký đăng ký", "登记记录", "Talaan ng pag-check-in"],
    nav_alerts: ["Alert deliveries", "Entregas de alertas", "Gửi cảnh báo", "警报发送记录", "Mga ipinadalang alerto"],
    nav_retention: ["Retention", "Conservación de datos", "Lưu giữ dữ liệu", "数据保留", "Pagpapanatili ng datos"],
    nav_integrity: ["Record integrity", "Integridad del registro", "Tính toàn vẹn hồ sơ", "记录完整性", "Integridad ng talaan"],
    sign_out: ["Sign out", "Cerrar sesión", "Đăng xuất", "退出登录", "Mag-sign out"],
    signed_in_as: ["Signed in as", "Sesión de", "Đã đăng nhập:", "当前用户", "Naka-sign in bilang"],
    language: ["Language", "Idioma", "Ngôn ngữ", "语言", "Wika"],
    sign_in: ["Sign in", "Iniciar sesión", "Đăng nhập", "登录", "Mag-sign in"],
    account: ["Account name", "Nombre de cuenta", "Tên tài khoản", "账户名", "Pangalan ng account"],
    password: ["Password", "Contraseña", "Mật khẩu", "密码", "Password"],
    bad_login: ["That account name and password do not match. Check them and try again.", "El nombre de cuenta y la contraseña no coinciden. Revíselos e inténtelo de nuevo.", "Tên tài khoản và mật khẩu không khớp. Hãy kiểm tra và thử lại.", "账户名和密码不匹配。请检查后重试。", "Hindi tugma ang pangalan ng account at password. Suriin at subukang muli."],
    too_many: ["Too many failed sign-ins from this network. Wait {minutes} minutes, then try again.", "Demasiados intentos fallidos desde esta red. Espere {minutes} minutos y vuelva a intentarlo.", "Quá nhiều lần đăng nhập thất bại từ mạng này. Xin quý vị đợi {minutes} phút rồi thử lại.", "来自此网络的登录失败次数过多。请等待 {minutes} 分钟后再试。", "Masyadong maraming bigong pag-sign in mula sa network na ito. Maghintay ng {minutes} minuto, saka subukang muli."],
    slow_down: ["This account had several failed sign-ins. Wait {seconds} seconds, then try again.", "Esta cuenta tuvo varios intentos fallidos. Espere {seconds} segundos y vuelva a intentarlo.", "Tài khoản này đã có nhiều lần đăng nhập thất bại. Xin quý vị đợi {seconds} giây rồi thử lại.", "此账户已有多次登录失败。请等待 {seconds} 秒后再试。", "Nagkaroon ng ilang bigong pag-sign in ang account na ito. Maghintay ng {seconds} segundo, saka subukang muli."],
    busy: ["The server is checking many sign-ins right now. Try again in a few seconds.", "El servidor está comprobando muchos inicios de sesión ahora. Inténtelo de nuevo en unos segundos.", "Máy chủ đang kiểm tra nhiều lượt đăng nhập. Xin quý vị thử lại sau vài giây.", "服务器正在处理大量登录请求。请几秒钟后再试。", "Maraming sinusuring pag-sign in ang server ngayon. Subukang muli pagkalipas ng ilang segundo."],
    expired: ["Your session ended. Sign in again.", "Su sesión terminó. Inicie sesión de nuevo.", "Phiên làm việc đã kết thúc. Hãy đăng nhập lại.", "会话已结束。请重新登录。", "Natapos ang iyong session. Mag-sign in muli."],
    csrf_failed: ["This form had expired or came from another site; nothing was changed. Reload the page and try again.", "Este formulario caducó o vino de otro sitio; no se cambió nada. Recargue la página e inténtelo de nuevo.", "Biểu mẫu này đã hết hạn hoặc đến từ trang khác; không có gì thay đổi. Hãy tải lại trang và thử lại.", "此表单已过期或来自其他网站；未做任何更改。请刷新页面后重试。", "Nag-expire ang form na ito o galing sa ibang site; walang binago. I-reload ang page at subukang muli."],
    refused: ["Not available to this account", "No disponible para esta cuenta", "Tài khoản này không được xem", "此账户无权访问", "Hindi available sa account na ito"],
    staff_refused: ["Staff accounts have no access to the admin pages. Use staff mode at the kiosk.", "Las cuentas de personal no tienen acceso a estas páginas. Use el modo de personal en el quiosco.", "Tài khoản nhân viên không có quyền vào các trang quản trị. Hãy dùng chế độ nhân viên tại ki-ốt.", "员工账户无权访问管理页面。请在自助终端使用员工模式。", "Walang access ang mga staff account sa mga admin page. Gamitin ang staff mode sa kiosk."],
    managers_only: ["Only managers can change this.", "Solo los gerentes pueden cambiar esto.", "Chỉ quản lý mới có thể thay đổi mục này.", "只有管理人员可以更改此项。", "Mga manager lang ang makakapagbago nito."],
    not_found: ["Not found", "No encontrado", "Không tìm thấy", "未找到", "Hindi nahanap"],
    not_found_body: ["There is no such record. Check the reference and try again.", "No existe ese registro. Revise la referencia e inténtelo de nuevo.", "Không có hồ sơ này. Hãy kiểm tra mã tham chiếu và thử lại.", "没有此记录。请检查编号后重试。", "Walang ganoong talaan. Suriin ang reference at subukang muli."],
    failed: ["Could not read the record", "No se pudo leer el registro", "Không đọc được hồ sơ", "无法读取记录", "Hindi mabasa ang talaan"],
    failed_body: ["The server logged what went wrong. Try again; if it keeps happening, tell the facility's administrator. Nothing recorded was changed.", "El servidor registró el problema. Inténtelo de nuevo; si se repite, avise al administrador. No se cambió nada de lo registrado.", "Máy chủ đã ghi lại lỗi. Hãy thử lại; nếu vẫn lỗi, báo cho người quản trị. Không có dữ liệu nào bị thay đổi.", "服务器已记录错误。请重试；如果仍然出错，请告知机构管理员。已记录的内容没有改变。", "Itinala ng server ang problema. Subukang muli; kung patuloy, sabihan ang administrator. Walang binago sa naitala."],
    bad_request: ["Check what you entered", "Revise lo que escribió", "Hãy kiểm tra thông tin đã nhập", "请检查输入内容", "Suriin ang inilagay mo"],
    open_encounters: ["Open encounters", "Encuentros abiertos", "Cuộc tiếp xúc đang mở", "进行中的接触", "Mga bukas na encounter"],
    none_open: ["No encounter is open.", "No hay encuentros abiertos.", "Không có cuộc tiếp xúc nào đang mở.", "当前没有进行中的接触。", "Walang bukas na encounter."],
    not_acknowledged: ["Nobody has acknowledged yet", "Nadie ha confirmado aún", "Chưa có ai xác nhận", "尚无人确认", "Wala pang nagkumpirma"],
    acknowledged: ["Acknowledged", "Confirmado", "Đã xác nhận", "已确认", "Nakumpirma"],
    counsel_ack: ["Counsel acknowledged", "El abogado confirmó", "Luật sư đã xác nhận", "法律顾问已确认", "Nakumpirma ng abogado"],
    counsel_pending: ["Counsel has not acknowledged", "El abogado no ha confirmado", "Luật sư chưa xác nhận", "法律顾问尚未确认", "Hindi pa nagkumpirma ang abogado"],
    tier: ["Escalation tier", "Nivel de escalamiento", "Cấp báo động", "升级层级", "Antas ng escalation"],
    drill: ["DRILL", "SIMULACRO", "DIỄN TẬP", "演练", "DRILL"],
    today_checkins: ["Today's check-ins", "Entradas de hoy", "Lượt đăng ký hôm nay", "今日登记", "Mga check-in ngayong araw"],
    total: ["Total", "Total", "Tổng", "合计", "Kabuuan"],
    devices: ["Devices", "Dispositivos", "Thiết bị", "设备", "Mga device"],
    connected: ["connected", "conectado", "đã kết nối", "已连接", "nakakonekta"],
    not_connected: ["not connected", "no conectado", "chưa kết nối", "未连接", "hindi nakakonekta"],
    no_devices: ["No device states: none is configured, or the kiosk service is not running.", "Sin estado de dispositivos: no hay ninguno configurado o el servicio no está en marcha.", "Không có trạng thái thiết bị: chưa cấu hình thiết bị hoặc dịch vụ ki-ốt không chạy.", "没有设备状态：未配置设备，或自助终端服务未运行。", "Walang estado ng device: walang naka-configure, o hindi tumatakbo ang serbisyo ng kiosk."],
    channels: ["Alert channels", "Canales de alerta", "Kênh cảnh báo", "警报渠道", "Mga channel ng alerto"],
    last_sent: ["last delivered", "última entrega", "gửi thành công gần nhất", "最近送达", "huling naipadala"],
    last_failure: ["last failure", "último fallo", "lỗi gần nhất", "最近失败", "huling pagkabigo"],
    never: ["never", "nunca", "chưa có", "从未", "wala pa"],
    refreshes: ["This page refreshes every 15 seconds.", "Esta página se actualiza cada 15 segundos.", "Trang này tự làm mới mỗi 15 giây.", "此页面每 15 秒刷新一次。", "Nagre-refresh ang page na ito bawat 15 segundo."],
    from: ["From", "Desde", "Từ ngày", "开始日期", "Mula"],
    to: ["To", "Hasta", "Đến ngày", "结束日期", "Hanggang"],
    kind: ["Kind", "Tipo", "Loại", "类型", "Uri"],
    any: ["Any", "Todos", "Tất cả", "全部", "Lahat"],
    visitor: ["Visitor", "Visitante", "Khách", "访客", "Bisita"],
    encounter: ["Encounter", "Encuentro", "Cuộc tiếp xúc", "接触", "Encounter"],
    purpose: ["Purpose", "Motivo", "Mục đích", "目的", "Layunin"],
    show: ["Show", "Mostrar", "Hiển thị", "显示", "Ipakita"],
    older: ["Older →", "Anteriores →", "Cũ hơn →", "更早 →", "Mas luma →"],
    newest: ["← Newest", "← Más recientes", "← Mới nhất", "← 最新", "← Pinakabago"],
    no_rows: ["Nothing matches these filters.", "Nada coincide con estos filtros.", "Không có mục nào khớp với bộ lọc.", "没有符合条件的记录。", "Walang tumutugma sa mga filter na ito."],
    export: ["Export", "Exportar", "Xuất", "导出", "I-export"],
    bundle: ["Signed bundle", "Paquete firmado", "Gói có chữ ký", "签名包", "Pinirmahang bundle"],
    time: ["Time", "Hora", "Thời gian", "时间", "Oras"],
    reference: ["Reference", "Referencia", "Mã tham chiếu", "编号", "Reference"],
    entrance: ["Entrance", "Entrada", "Lối vào", "入口", "Pasukan"],
    name: ["Name", "Nombre", "Tên", "姓名", "Pangalan"],
    host: ["Here for", "Viene a ver a", "Gặp ai", "拜访对象", "Pakay na tao"],
    document: ["Document", "Documento", "Giấy tờ", "文件", "Dokumento"],
    outcome: ["Outcome", "Resultado", "Kết quả", "结果", "Resulta"],
    opened: ["Opened", "Abierto", "Mở lúc", "开始时间", "Binuksan"],
    closed: ["Closed", "Cerrado", "Đóng lúc", "结束时间", "Isinara"],
    still_open: ["Still open", "Sigue abierto", "Vẫn đang mở", "仍在进行", "Bukas pa"],
    officers: ["Officers", "Agentes", "Nhân viên công vụ", "执法人员", "Mga opisyal"],
    badge: ["Badge", "Placa", "Số hiệu", "警号", "Badge"],
    agency: ["Agency", "Agencia", "Cơ quan", "机构", "Ahensya"],
    pages: ["Document pages and evidence", "Páginas del documento y pruebas", "Các trang giấy tờ và bằng chứng", "文件页面和证据", "Mga pahina ng dokumento at ebidensya"],
    kind_badge: ["Badge or card", "Placa o tarjeta", "Phù hiệu hoặc danh thiếp", "证件或名片", "Badge o card"],
    kind_other: ["Other evidence", "Otra prueba", "Bằng chứng khác", "其他证据", "Ibang ebidensya"],
    photographed_by: ["photographed by", "fotografiada por", "chụp bởi", "拍摄者：", "kinunan ni"],
    page: ["Page", "Página", "Trang", "页", "Pahina"],
    no_pages: ["No pages were captured.", "No se capturaron páginas.", "Không có trang nào được chụp.", "未拍摄任何页面。", "Walang nakuhang pahina."],
    checklist: ["Warrant checklist", "Lista de verificación de la orden", "Danh mục kiểm tra lệnh", "令状核对清单", "Checklist ng warrant"],
    instructions: ["Counsel's instructions", "Instrucciones del abogado", "Chỉ dẫn của luật sư", "法律顾问的指示", "Mga tagubilin ng abogado"],
    notes: ["Staff notes", "Notas del personal", "Ghi chú của nhân viên", "员工备注", "Mga tala ng staff"],
    timeline: ["Timeline: who did what, when", "Cronología: quién hizo qué y cuándo", "Dòng thời gian: ai làm gì, khi nào", "时间线：谁在何时做了什么", "Timeline: sino ang gumawa ng ano, kailan"],
    notifications: ["Who was paged", "A quién se avisó", "Đã báo cho ai", "已通知人员", "Sino ang na-page"],
    acknowledgements: ["Acknowledgements", "Confirmaciones", "Xác nhận", "确认记录", "Mga kumpirmasyon"],
    report_pdf: ["Report for counsel's file (PDF)", "Informe para el expediente (PDF)", "Báo cáo cho hồ sơ luật sư (PDF)", "供法律顾问存档的报告 (PDF)", "Ulat para sa file ng abogado (PDF)"],
    who: ["Who", "Quién", "Ai", "人员", "Sino"],
    what: ["What", "Qué", "Việc gì", "事项", "Ano"],
    purged_note: ["Personal data in this record was removed by retention; the record of what happened remains.", "Los datos personales de este registro se eliminaron por conservación; queda el registro de lo ocurrido.", "Dữ liệu cá nhân trong hồ sơ này đã bị xóa theo chính sách lưu giữ; bản ghi sự việc vẫn còn.", "此记录中的个人数据已按保留政策删除；事件记录仍然保留。", "Inalis ng retention ang personal na datos sa talaang ito; nananatili ang talaan ng nangyari."],
    details: ["Details", "Detalles", "Chi tiết", "详情", "Mga detalye"],
    state: ["State", "Estado", "Trạng thái", "状态", "Kalagayan"],
    attempts: ["Attempts", "Intentos", "Số lần thử", "尝试次数", "Mga pagsubok"],
    contact: ["Contact", "Contacto", "Người liên hệ", "联系人", "Contact"],
    channel: ["Channel", "Canal", "Kênh", "渠道", "Channel"],
    queued: ["Queued", "En cola", "Xếp hàng lúc", "排队时间", "Naka-queue"],
    delivered: ["Delivered", "Entregado", "Đã gửi lúc", "送达时间", "Naipadala"],
    last_error: ["Last error", "Último error", "Lỗi gần nhất", "最近错误", "Huling error"],
    retention_intro: ["Visitors' names and hosts are removed after the visitor period; closed encounters' personal data and page images after the encounter period. What happened stays in the record, and the record still verifies.", "Los nombres de los visitantes y a quién vienen a ver se eliminan tras el plazo de visitantes; los datos personales y las imágenes de los encuentros cerrados, tras el plazo de encuentros. Lo ocurrido sigue en el registro, que se sigue verificando.", "Tên khách và người họ gặp bị xóa sau thời hạn của khách; dữ liệu cá nhân và ảnh giấy tờ của các cuộc tiếp xúc đã đóng bị xóa sau thời hạn tiếp xúc. Sự việc vẫn còn trong hồ sơ và hồ sơ vẫn kiểm chứng được.", "访客的姓名和拜访对象在访客保留期后删除；已结束接触的个人数据和页面图像在接触保留期后删除。事件本身仍保留在记录中，记录仍可验证。", "Inaalis ang pangalan ng bisita at ang pakay na tao pagkalipas ng panahon para sa bisita; ang personal na datos at mga larawan ng saradong encounter pagkalipas ng panahon para sa encounter. Nananatili sa talaan ang nangyari, at nabe-verify pa rin ito."],
    visitor_days: ["Visitor data, days", "Datos de visitantes, días", "Dữ liệu khách, số ngày", "访客数据保留天数", "Datos ng bisita, araw"],
    encounter_years: ["Encounter data, years", "Datos de encuentros, años", "Dữ liệu tiếp xúc, số năm", "接触数据保留年数", "Datos ng encounter, taon"],
    save: ["Save", "Guardar", "Lưu", "保存", "I-save"],
    saved: ["Saved.", "Guardado.", "Đã lưu.", "已保存。", "Na-save."],
    from_config: ["These periods come from the configuration file.", "Estos plazos vienen del archivo de configuración.", "Các thời hạn này lấy từ tệp cấu hình.", "这些期限来自配置文件。", "Galing sa configuration file ang mga panahong ito."],
    from_web: ["These periods were set on this page and override the configuration file.", "Estos plazos se fijaron en esta página y sustituyen a los del archivo de configuración.", "Các thời hạn này được đặt trên trang này và thay cho tệp cấu hình.", "这些期限在本页设置，优先于配置文件。", "Itinakda sa page na ito ang mga panahong ito at pinapalitan ang configuration file."],
    preview: ["If retention ran now", "Si la conservación se aplicara ahora", "Nếu chạy lưu giữ ngay bây giờ", "如果现在执行保留", "Kung tatakbo ang retention ngayon"],
    preview_counts: ["{checkins} visitor check-ins and {encounters} encounters would lose their personal data; {pages} page images would be deleted.", "{checkins} entradas de visitantes y {encounters} encuentros perderían sus datos personales; se borrarían {pages} imágenes de páginas.", "{checkins} lượt đăng ký của khách và {encounters} cuộc tiếp xúc sẽ bị xóa dữ liệu cá nhân; {pages} ảnh trang sẽ bị xóa.", "{checkins} 条访客登记和 {encounters} 次接触的个人数据将被删除；{pages} 张页面图像将被删除。", "{checkins} check-in ng bisita at {encounters} encounter ang mawawalan ng personal na datos; {pages} larawan ng pahina ang buburahin."],
    purge_now: ["Purge now", "Eliminar ahora", "Xóa ngay", "立即清除", "I-purge ngayon"],
    purged_done: ["Purged: {checkins} visitor check-ins, {encounters} encounters, {pages} page images.", "Eliminado: {checkins} entradas de visitantes, {encounters} encuentros, {pages} imágenes de páginas.", "Đã xóa: {checkins} lượt đăng ký, {encounters} cuộc tiếp xúc, {pages} ảnh trang.", "已清除：{checkins} 条访客登记、{encounters} 次接触、{pages} 张页面图像。", "Na-purge: {checkins} check-in ng bisita, {encounters} encounter, {pages} larawan ng pahina."],
    whole_number: ["Enter whole numbers: visitor data 1 to 3650 days, encounter data 1 to 100 years. Nothing was changed.", "Escriba números enteros: visitantes de 1 a 3650 días, encuentros de 1 a 100 años. No se cambió nada.", "Hãy nhập số nguyên: dữ liệu khách từ 1 đến 3650 ngày, dữ liệu tiếp xúc từ 1 đến 100 năm. Không có gì thay đổi.", "请输入整数：访客数据 1 至 3650 天，接触数据 1 至 100 年。未做任何更改。", "Maglagay ng buong numero: datos ng bisita 1 hanggang 3650 araw, datos ng encounter 1 hanggang 100 taon. Walang binago."],
    integrity_ok: ["The record is intact: every entry matches the hash chain, and the vault, page files and tables match the entries.", "El registro está íntegro: cada entrada coincide con la cadena de hashes, y el almacén, las páginas y las tablas coinciden con las entradas.", "Hồ sơ còn nguyên vẹn: mọi mục khớp với chuỗi băm, kho dữ liệu, tệp trang và các bảng khớp với các mục.", "记录完整：每个条目都与哈希链一致，数据库、页面文件和表格都与条目一致。", "Buo ang talaan: tugma ang bawat entry sa hash chain, at tugma ang vault, mga file ng pahina at mga table sa mga entry."],
    integrity_bad: ["The record has been altered. Tell counsel and do not change anything until they have seen this page.", "El registro fue alterado. Avise al abogado y no cambie nada hasta que vea esta página.", "Hồ sơ đã bị thay đổi. Hãy báo cho luật sư và đừng thay đổi gì cho đến khi họ xem trang này.", "记录已被篡改。请告知法律顾问，在其查看本页之前不要做任何更改。", "Binago ang talaan. Sabihan ang abogado at huwag baguhin ang anuman hangga't hindi nila nakikita ang page na ito."],
    chain_head: ["Chain head", "Cabeza de la cadena", "Đầu chuỗi", "链头", "Chain head"],
    entries: ["Entries", "Entradas", "Số mục", "条目数", "Mga entry"],
    purged_entries: ["Entries whose personal data retention removed", "Entradas cuyos datos personales se eliminaron por conservación", "Các mục đã bị xóa dữ liệu cá nhân theo lưu giữ", "已按保留政策删除个人数据的条目", "Mga entry na inalisan ng personal na datos ng retention"],
    facility_key: ["Facility signing key (Ed25519)", "Clave de firma de la instalación (Ed25519)", "Khóa ký của cơ sở (Ed25519)", "机构签名密钥 (Ed25519)", "Signing key ng pasilidad (Ed25519)"],
    fingerprint: ["Fingerprint", "Huella", "Dấu vân tay khóa", "指纹", "Fingerprint"],
    findings: ["Findings", "Hallazgos", "Phát hiện", "发现的问题", "Mga natuklasan"],
    yes: ["yes", "sí", "có", "是", "oo"],
    no: ["no", "no", "không", "否", "hindi"],
    none: ["none", "ninguno", "không có", "无", "wala"],
    held_kept: ["{held} encounters past retention are on legal hold and kept.", "{held} encuentros vencidos están bajo retención legal y se conservan.", "{held} lần tiếp xúc đã quá hạn lưu giữ đang bị giữ theo lệnh pháp lý và được giữ lại.", "{held} 次已超过保留期限的接触处于法律保全状态，予以保留。", "{held} engkuwentrong lampas na sa retention ay nasa legal hold at pinananatili."],
    legal_hold: ["Legal hold", "Retención legal", "Giữ theo lệnh pháp lý", "法律保全", "Legal hold"],
    hold_in_force: ["In force: retention keeps this encounter until the hold is released.", "Vigente: la conservación mantiene este encuentro hasta que se levante la retención.", "Đang hiệu lực: lần tiếp xúc này được giữ lại cho đến khi lệnh giữ được gỡ bỏ.", "生效中：在解除保全之前，此次接触将被保留。", "Umiiral: pinananatili ang engkuwentrong ito hanggang alisin ang hold."],
    hold_released: ["Released", "Levantada", "Đã gỡ bỏ", "已解除", "Inalis na"],
    release_hold: ["Release the hold", "Levantar la retención", "Gỡ bỏ lệnh giữ", "解除保全", "Alisin ang hold"],
    place_hold: ["Place a legal hold", "Aplicar una retención legal", "Đặt lệnh giữ pháp lý", "设置法律保全", "Maglagay ng legal hold"],
    hold_reason: ["Why the record must be kept (a case, a records request)", "Por qué debe conservarse el registro (un caso, una solicitud de registros)", "Lý do phải giữ hồ sơ (một vụ kiện, một yêu cầu cung cấp hồ sơ)", "必须保留记录的原因（案件、档案公开申请）", "Bakit dapat itago ang talaan (isang kaso, isang records request)"],
    holds_active: ["Legal holds in force", "Retenciones legales vigentes", "Lệnh giữ pháp lý đang hiệu lực", "生效中的法律保全", "Mga legal hold na umiiral"],
    not_given: ["not given", "no indicado", "không cung cấp", "未提供", "hindi ibinigay"],
    nobody_was_paged: ["Nobody was paged about this encounter.", "No se avisó a nadie sobre este encuentro.", "Không ai được báo về lần tiếp xúc này.", "此次接触未通知任何人。", "Walang inabisuhan tungkol sa engkuwentrong ito."],
    not_delivered: ["not delivered", "no entregado", "chưa gửi được", "未送达", "hindi naipadala"],
    nobody_paged: ["Nobody could be paged.", "No se pudo avisar a nadie.", "Không thể báo cho ai.", "无法通知任何人。", "Walang naabisuhan."],
    counsel_not_answered: ["Counsel has not answered.", "El abogado no ha respondido.", "Luật sư chưa trả lời.", "法律顾问尚未回复。", "Hindi pa sumasagot ang abogado."],
    no_channel_set_up: ["No alert channel is set up: nobody can be paged.", "No hay ningún canal de alerta configurado: no se puede avisar a nadie.", "Chưa thiết lập kênh cảnh báo nào: không thể báo cho ai.", "未设置任何警报渠道：无法通知任何人。", "Walang naka-set up na channel ng alerto: walang maaabisuhan."],
    act_acknowledge: ["I acknowledge: I am handling this", "Confirmo: me encargo de esto", "Tôi xác nhận: tôi đang xử lý việc này", "我确认：我来处理", "Kinukumpirma ko: ako ang bahala rito"],
    you_acknowledged: ["You have acknowledged this encounter.", "Usted confirmó este encuentro.", "Bạn đã xác nhận lần tiếp xúc này.", "您已确认此事件。", "Nakumpirma mo na ang encounter na ito."],
    send_to_desk: ["Send to the desk", "Enviar al mostrador", "Gửi đến quầy", "发送到前台", "Ipadala sa desk"],
    instruction_hint: ["Your instruction appears on the staff screen at the desk within seconds, with your name.", "Su instrucción aparece en la pantalla del personal en el mostrador en segundos, con su nombre.", "Chỉ dẫn của bạn hiện trên màn hình nhân viên tại quầy trong vài giây, kèm tên bạn.", "您的指示会在几秒内连同您的姓名显示在前台员工屏幕上。", "Lalabas ang iyong tagubilin sa screen ng kawani sa desk sa loob ng ilang segundo, kasama ang iyong pangalan."],
    add_note: ["Add note", "Agregar nota", "Thêm ghi chú", "添加备注", "Magdagdag ng tala"],
    answer_yes: ["Yes", "Sí", "Có", "是", "Oo"],
    answer_no: ["No", "No", "Không", "否", "Hindi"],
    answer_unclear: ["Unclear", "No está claro", "Không rõ", "不确定", "Hindi malinaw"],
    not_answered: ["not answered", "sin respuesta", "chưa trả lời", "未回答", "hindi pa nasasagot"],
    not_recorded: ["Not recorded", "No se registró", "Chưa được ghi", "未记录", "Hindi naitala"],
    encounter_closed: ["The encounter is closed; nothing more can be recorded.", "El encuentro está cerrado; no se puede registrar nada más.", "Lần tiếp xúc đã đóng; không thể ghi thêm.", "此事件已关闭，无法再记录任何内容。", "Sarado na ang encounter; wala nang maitatala."],
    write_something: ["Write the text first.", "Escriba primero el texto.", "Hãy viết nội dung trước.", "请先填写内容。", "Isulat muna ang teksto."],
    text_too_long: ["At most 2,000 characters.", "Como máximo 2.000 caracteres.", "Tối đa 2.000 ký tự.", "最多 2000 个字符。", "Hanggang 2,000 character lamang."],
    unknown_question: ["That is not a question of this checklist.", "Esa no es una pregunta de esta lista.", "Đó không phải câu hỏi trong danh mục này.", "这不是此清单中的问题。", "Hindi iyan tanong sa checklist na ito."],
    pick_an_answer: ["Choose yes, no or unclear.", "Elija sí, no o no está claro.", "Hãy chọn có, không hoặc không rõ.", "请选择是、否或不确定。", "Pumili ng oo, hindi, o hindi malinaw."],
    call_counsel_now: ["Call counsel now", "Llame ya al abogado", "Hãy gọi luật sư ngay", "请立即致电法律顾问", "Tawagan ngayon ang abogado"],
    purged: ["[purged]", "[eliminado]", "[đã xóa]", "[已删除]", "[na-purge]"],
    exports_note: ["Exports use the filters above. Scripts can fetch the same addresses after signing in.", "Las exportaciones usan los filtros de arriba. Los scripts pueden pedir las mismas direcciones tras iniciar sesión.", "Bản xuất dùng bộ lọc ở trên. Tập lệnh có thể lấy cùng các địa chỉ này sau khi đăng nhập.", "导出使用上面的筛选条件。脚本登录后可以访问相同的地址。", "Ginagamit ng mga export ang mga filter sa itaas. Makukuha rin ng mga script ang parehong address pagkatapos mag-sign in."],
    bad_dates: ["Dates are written YYYY-MM-DD, and the end date cannot be before the start date.", "Las fechas se escriben AAAA-MM-DD, y la fecha final no puede ser anterior a la inicial.", "Ngày phải viết dạng YYYY-MM-DD, và ngày kết thúc không được trước ngày bắt đầu.", "日期格式为 YYYY-MM-DD，结束日期不能早于开始日期。", "Isulat ang petsa bilang YYYY-MM-DD, at hindi puwedeng mas maaga ang huling petsa sa unang petsa."],
    ack_link: ["Acknowledge", "Confirmar", "Xác nhận", "确认", "Kumpirmahin"],
    counsel_needed: ["Counsel's acknowledgement is needed before an outcome that grants access.", "Se necesita la confirmación del abogado antes de un resultado que conceda acceso.", "Cần luật sư xác nhận trước khi có kết quả cho phép vào.", "在作出准许进入的结果之前需要法律顾问确认。", "Kailangan ang kumpirmasyon ng abogado bago ang resultang nagbibigay ng access."],
    sought: ["Person, records or area sought", "Persona, registros o área que buscan", "Người, hồ sơ hoặc khu vực cần tìm", "要找的人、记录或区域", "Hinahanap na tao, rekord o lugar"],
    area: ["Area asked for", "Área solicitada", "Khu vực yêu cầu", "要求进入的区域", "Hiniling na lugar"],
    exigent: ["Exigent circumstances declared", "Se declararon circunstancias urgentes", "Đã tuyên bố tình huống khẩn cấp", "已声明紧急情况", "Idineklara ang kagipitan"],
    court: ["Court", "Tribunal", "Tòa án", "法院", "Hukuman"],
    judge: ["Signed by", "Firmado por", "Người ký", "签发人", "Pinirmahan ni"],
    issued: ["Issued", "Emitido", "Ngày cấp", "签发日期", "Inilabas"],
    expires: ["Valid until", "Válido hasta", "Hiệu lực đến", "有效期至", "May bisa hanggang"],
    address: ["Address named", "Dirección indicada", "Địa chỉ ghi trên giấy", "文件所列地址", "Nakasaad na address"],
    areas_named: ["Areas named", "Áreas indicadas", "Khu vực ghi trên giấy", "文件所列区域", "Nakasaad na mga lugar"],
    supervisor: ["Supervisor", "Supervisor", "Người giám sát", "主管", "Superbisor"],
    override_reason: ["Override reason", "Motivo de la excepción", "Lý do vượt quyền", "例外理由", "Dahilan ng override"],
    officials_reason: ["What the officers said the emergency is", "Lo que los agentes dijeron que es la emergencia", "Điều nhân viên nói là tình huống khẩn cấp", "执法人员所称的紧急情况", "Ang sinabi ng mga opisyal na emerhensiya"],
    basis_before_counsel: ["recorded before counsel had been reached", "registrado antes de localizar al abogado", "ghi trước khi liên lạc được với luật sư", "在联系上法律顾问之前记录", "naitala bago naabot ang abogado"],
    basis_counsel_acknowledged: ["recorded after counsel acknowledged", "registrado después de la confirmación del abogado", "ghi sau khi luật sư xác nhận", "在法律顾问确认之后记录", "naitala matapos magkumpirma ang abogado"],
    basis_override: ["recorded before counsel acknowledged, with a stated exigent reason", "registrado antes de la confirmación del abogado, con un motivo urgente", "ghi trước khi luật sư xác nhận, kèm lý do khẩn cấp", "在法律顾问确认之前记录，并说明了紧急理由", "naitala bago magkumpirma ang abogado, may kagyat na dahilan"],
    decided_by: ["Decided by", "Decidido por", "Người quyết định", "决定人", "Nagpasya"],
    report_title: ["Encounter report", "Informe del encuentro", "Báo cáo cuộc tiếp xúc", "接触报告", "Ulat ng encounter"],
    generated: ["Generated", "Generado", "Tạo lúc", "生成时间", "Ginawa"],
    signature: ["Signature (Ed25519) over the statement above", "Firma (Ed25519) de la declaración anterior", "Chữ ký (Ed25519) cho nội dung trên", "对上述声明的签名 (Ed25519)", "Lagda (Ed25519) sa pahayag sa itaas"],
    integrity: ["Integrity", "Integridad", "Tính toàn vẹn", "完整性", "Integridad"],
    kiosk_language: ["Language shown to the official", "Idioma mostrado al funcionario", "Ngôn ngữ hiển thị cho nhân viên công vụ", "向官员显示的语言", "Wikang ipinakita sa opisyal"],
    policy_shown: ["The policy shown at the door", "La política que se muestra en la entrada", "Chính sách hiển thị tại cửa", "门口展示的政策", "Ang patakarang ipinapakita sa pinto"],
    how_to_check: ["How to check this report", "Cómo verificar este informe", "Cách kiểm tra báo cáo này", "如何核验本报告", "Paano suriin ang ulat na ito"],
    check_signature: ["1. The signature (Ed25519) covers the statement above, byte for byte. Check it against the facility's public key printed above — compare its fingerprint with the one the facility publishes — using any Ed25519 tool.", "1. La firma (Ed25519) cubre la declaración anterior, byte por byte. Verifíquela con la clave pública de la instalación impresa arriba —compare su huella con la que publica la instalación— con cualquier herramienta Ed25519.", "1. Chữ ký (Ed25519) bao gồm nguyên văn từng byte của nội dung khai ở trên. Hãy kiểm tra bằng khóa công khai của cơ sở in ở trên — so dấu vân tay với dấu vân tay cơ sở công bố — bằng bất kỳ công cụ Ed25519 nào.", "1. 签名（Ed25519）逐字节覆盖上面的声明。请使用任何 Ed25519 工具，以上方印出的设施公钥核验——并将其指纹与设施公布的指纹比对。", "1. Saklaw ng lagda (Ed25519) ang pahayag sa itaas, byte por byte. Suriin ito gamit ang pampublikong susi ng pasilidad na nakalimbag sa itaas — ihambing ang fingerprint nito sa inilathala ng pasilidad — gamit ang anumang Ed25519 na kasangkapan."],
    facility_label: ["Facility", "Instalación", "Cơ sở", "设施", "Pasilidad"],
    check_head: ["2. The record head (seq and hash) must still be in the facility's record: on the kiosk, threshold log verify --against SEQ:HASH with the first 16 hex digits of the chain head above; it also matches the head printed on pages and receipts sent at the time.", "2. La cabecera del registro (número y hash) debe seguir en el registro de la instalación: en el quiosco, threshold log verify --against SEQ:HASH con los primeros 16 dígitos hexadecimales de la cabecera de la cadena; coincide también con la cabecera impresa en los avisos y recibos enviados en su momento.", "2. Đầu hồ sơ (số thứ tự và mã băm) phải vẫn còn trong hồ sơ của cơ sở: trên ki-ốt, chạy threshold log verify --against SEQ:HASH với 16 chữ số hex đầu của đầu chuỗi ở trên; nó cũng khớp với đầu hồ sơ in trên các thông báo và biên nhận gửi vào lúc đó.", "2. 记录头（序号和哈希）必须仍在设施的记录中：在自助机上运行 threshold log verify --against SEQ:HASH，使用上方链头的前 16 位十六进制数字；它也应与当时发出的通知和回执上印的记录头一致。", "2. Dapat nasa talaan pa ng pasilidad ang record head (seq at hash): sa kiosk, threshold log verify --against SEQ:HASH gamit ang unang 16 hex digit ng chain head sa itaas; tugma rin ito sa head na nakalimbag sa mga abiso at resibong ipinadala noon."],
    certification: ["Custodian's certification", "Certificación del custodio", "Xác nhận của người quản lý hồ sơ", "保管人证明", "Sertipikasyon ng tagapag-ingat"],
    certify_text: ["I certify that this report is a true copy of the record of this encounter kept by the facility named above in the regular course of its business, made at or near the time of the events by the people and systems named in it.", "Certifico que este informe es una copia fiel del registro de este encuentro que lleva la instalación indicada arriba en el curso ordinario de su actividad, hecho en el momento de los hechos o cerca de él por las personas y sistemas que en él se nombran.", "Tôi xác nhận báo cáo này là bản sao trung thực của hồ sơ về lần tiếp xúc này do cơ sở nêu trên lưu giữ trong hoạt động thường lệ, được lập vào lúc hoặc gần lúc sự việc xảy ra bởi những người và hệ thống được nêu trong đó.", "本人证明，本报告是上述设施在日常业务中保存的本次接触记录的真实副本，由其中列明的人员和系统在事件发生时或临近时制作。", "Pinatutunayan ko na ang ulat na ito ay tapat na kopya ng talaan ng engkuwentrong ito na iniingatan ng pasilidad na nakasaad sa itaas sa karaniwang takbo ng gawain nito, ginawa sa oras o malapit sa oras ng mga pangyayari ng mga tao at sistemang binanggit dito."],
    custodian: ["Custodian (name and title)", "Custodio (nombre y cargo)", "Người quản lý hồ sơ (họ tên và chức vụ)", "保管人（姓名及职务）", "Tagapag-ingat (pangalan at titulo)"],
    signature_line: ["Signature", "Firma", "Chữ ký", "签名", "Lagda"],
    date_line: ["Date", "Fecha", "Ngày", "日期", "Petsa"],
    parts: ["Devices, channels and services", "Dispositivos, canales y servicios", "Thiết bị, kênh và dịch vụ", "设备、渠道和服务", "Mga device, channel at serbisyo"],
    working: ["working", "funciona", "đang hoạt động", "正常", "gumagana"],
    not_working: ["NOT WORKING", "NO FUNCIONA", "KHÔNG HOẠT ĐỘNG", "故障", "HINDI GUMAGANA"],
    what_to_do: ["What to do", "Qué hacer", "Cần làm gì", "处理方法", "Ano ang gagawin"],
    part: ["Part", "Parte", "Bộ phận", "部件", "Bahagi"],
}

/// The words for `lang`.
impl Words {
    /// A recorded outcome's basis token in words, if it has words.
    pub fn basis(&self, token: &str) -> Option<&'static str> {
        match token {
            "before-counsel" => Some(self.basis_before_counsel),
            "counsel-acknowledged" => Some(self.basis_counsel_acknowledged),
            "exigent-override" => Some(self.basis_override),
            _ => None,
        }
    }

    /// A checklist answer token (`yes`, `no`, `unclear`) in words.
    pub fn answer(&self, token: &str) -> Option<&'static str> {
        match token {
            "yes" => Some(self.answer_yes),
            "no" => Some(self.answer_no),
            "unclear" => Some(self.answer_unclear),
            _ => None,
        }
    }
}

pub fn words(lang: Language) -> &'static Words {
    let i = Language::ALL.iter().position(|l| *l == lang).unwrap_or(0);
    &TABLE[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_word_with_the_same_placeholders() {
        let en = all_texts(words(Language::English));
        for lang in Language::ALL {
            let texts = all_texts(words(lang));
            for (e, t) in en.iter().zip(&texts) {
                assert!(!t.is_empty(), "{lang:?}: empty text for `{e}`");
                for ph in ["{minutes}", "{checkins}", "{encounters}", "{pages}"] {
                    assert_eq!(e.contains(ph), t.contains(ph), "{lang:?}: `{t}` vs `{e}`");
                }
            }
        }
    }
}
