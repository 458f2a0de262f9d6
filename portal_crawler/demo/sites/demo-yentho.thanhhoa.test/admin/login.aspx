<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="vi">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>Đăng nhập hệ thống - Cổng thông tin điện tử huyện Yên Thọ</title>
<link rel="stylesheet" type="text/css" href="/portal/Style%20Library/yentho.css" />
</head>
<body>
<form id="aspnetForm" method="post" action="">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRk" />
<table class="banner" width="100%"><tr><td><a href="/"><img src="/portal/images/banner.png" alt="Cổng thông tin điện tử huyện Yên Thọ" /></a></td>
<td class="today">Thứ Hai, 06/05/2024</td></tr></table>
<ul class="menu-top"><li><a href="/">Trang chủ</a></li><li><a href="/portal/Pages/gioi-thieu.aspx">Giới thiệu</a></li><li><a href="/portal/Pages/tin-tuc-su-kien.aspx">Tin tức - Sự kiện</a></li><li><a href="/portal/Pages/nong-nghiep-nong-thon.aspx">Nông nghiệp - Nông thôn mới</a></li><li><a href="/portal/Pages/van-hoa-xa-hoi.aspx">Văn hóa - Xã hội</a></li><li><a href="/portal/Pages/lien-he.aspx">Liên hệ</a></li></ul>
<div class="search"><form action="/tim-kiem/" method="get"><input name="q" type="text" value="Tìm kiếm..." /><input type="submit" value="Tìm" /></form></div>
<div class="breadcrumb"><a href="/">Trang chủ</a> &gt; <a href="#">Đăng nhập hệ thống</a></div>
<table class="layout" width="100%"><tr>
<td class="col-left" valign="top" width="200">
<div class="box"><div class="box-title">Ý kiến thăm dò</div>
<form action="/_layouts/poll.aspx" method="post"><p>Bạn quan tâm thông tin gì trên cổng thông tin?</p>
<input type="radio" name="poll" value="1"> Thủ tục hành chính<br>
<input type="radio" name="poll" value="2"> Tin tức - Sự kiện<br>
<input type="radio" name="poll" value="3"> Văn bản chỉ đạo<br>
<input type="submit" value="Biểu quyết"> <a href="/_layouts/poll.aspx?view=1">Xem kết quả</a></form></div>
<div class="box"><div class="box-title">Lịch công tác</div>
<a href="/portal/Pages/lich-cong-tac.aspx?date=2024-05-06">Lịch công tác tuần 06/05/2024 - 12/05/2024</a></div>
<div class="box"><div class="box-title">Thời tiết</div>
<p>Thanh Hóa: 27°C - 34°C, có mưa rào và dông vài nơi. Độ ẩm 75%.</p></div>
<div class="box"><div class="box-title">Thống kê truy cập</div>
<p>Đang truy cập: 37<br>Hôm nay: 1.204<br>Hôm qua: 1.876<br>Tất cả: 2.315.790</p></div>
</td>
<td class="col-main" valign="top">
<h1 class="page-title">Đăng nhập hệ thống</h1><p>Tên đăng nhập và mật khẩu</p>
</td>
<td class="col-right" valign="top" width="240">
<div class="box"><div class="box-title">Tin mới</div><ul class="list-news"><li><a href="/portal/Pages/2024-4-22/Phat-trien-san-pham-OCOP-tu-cay-sa-2098.aspx">Phát triển sản phẩm OCOP từ cây sả</a> <span class="date">(22/04/2024)</span></li><li><a href="/portal/Pages/2023-11-2/Khanh-thanh-cau-Ben-Dinh-noi-hai-xa-Yen-Hoa-va-Tho-Son-2031.aspx">Khánh thành cầu Bến Đình nối hai xã Yên Hòa và Thọ Sơn</a> <span class="date">(02/11/2023)</span></li><li><a href="/portal/Pages/2023-1-10/Trao-qua-Tet-cho-ho-ngheo-chuong-trinh-Xuan-yeu-thuong-1915.aspx">Chương trình “Xuân yêu thương” trao quà Tết cho hộ nghèo</a> <span class="date">(10/01/2023)</span></li><li><a href="/portal/Pages/2022-3-28/Tiem-vac-xin-phong-Covid-19-cho-tre-tu-5-den-duoi-12-tuoi-1840.aspx">Tiêm vắc xin phòng Covid-19 cho trẻ từ 5 đến dưới 12 tuổi</a> <span class="date">(28/03/2022)</span></li><li><a href="/portal/Pages/2021-4-9/Tho-Loc-don-dien-doi-thua-gan-voi-xay-dung-canh-dong-lon-1766.aspx">Thọ Lộc: Dồn điền đổi thửa gắn với xây dựng cánh đồng lớn</a> <span class="date">(09/04/2021)</span></li></ul></div>
<div class="box"><div class="box-title">Văn bản mới</div><ul>
<li>Quyết định số 1520/QĐ-UBND ngày 02/05/2024 về việc ban hành kế hoạch phòng chống thiên tai</li>
<li>Công văn số 845/UBND-NN ngày 25/04/2024 về sản xuất vụ Hè Thu</li></ul></div>
<div class="box"><div class="box-title">Liên kết website</div>
<select onchange="window.open(this.value)"><option>-- Chọn liên kết --</option>
<option value="http://thanhhoa.gov.test/">Cổng TTĐT tỉnh Thanh Hóa</option>
<option value="http://dichvucong.thanhhoa.gov.test/">Dịch vụ công trực tuyến</option></select></div>
</td>
</tr></table>
<div class="footer">
<p><strong>CỔNG THÔNG TIN ĐIỆN TỬ HUYỆN YÊN THỌ</strong></p>
<p>Cơ quan chủ quản: UBND huyện Yên Thọ, tỉnh Thanh Hóa</p>
<p>Chịu trách nhiệm chính: Ông Nguyễn Văn Hùng - Chánh Văn phòng HĐND và UBND huyện</p>
<p>Địa chỉ: Số 02 đường Lê Lợi, thị trấn Yên Thọ, huyện Yên Thọ, tỉnh Thanh Hóa - Điện thoại: 0237.3861.234</p>
<p>Giấy phép số 45/GP-STTTT ngày 12/04/2018 của Sở Thông tin và Truyền thông Thanh Hóa</p>
<p>Ghi rõ nguồn "Cổng thông tin điện tử huyện Yên Thọ" khi phát hành lại thông tin từ website này.</p>
<p><a href="/admin/login.aspx">Quản trị</a></p>
</div>
</form>
</body></html>
