<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="vi">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>Thọ Lộc: Dồn điền đổi thửa gắn với xây dựng cánh đồng lớn - Cổng thông tin điện tử huyện Yên Thọ</title>
<link rel="stylesheet" type="text/css" href="/portal/Style%20Library/yentho.css" />
<link rel="canonical" href="http://demo-yentho.thanhhoa.test/portal/Pages/2021-4-9/Tho-Loc-don-dien-doi-thua-gan-voi-xay-dung-canh-dong-lon-1766.aspx" />
</head>
<body>
<form id="aspnetForm" method="post" action="">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRk" />
<table class="banner" width="100%"><tr><td><a href="/"><img src="/portal/images/banner.png" alt="Cổng thông tin điện tử huyện Yên Thọ" /></a></td>
<td class="today">Thứ Hai, 06/05/2024</td></tr></table>
<ul class="menu-top"><li><a href="/">Trang chủ</a></li><li><a href="/portal/Pages/gioi-thieu.aspx">Giới thiệu</a></li><li><a href="/portal/Pages/tin-tuc-su-kien.aspx">Tin tức - Sự kiện</a></li><li><a href="/portal/Pages/nong-nghiep-nong-thon.aspx">Nông nghiệp - Nông thôn mới</a></li><li><a href="/portal/Pages/van-hoa-xa-hoi.aspx">Văn hóa - Xã hội</a></li><li><a href="/portal/Pages/lien-he.aspx">Liên hệ</a></li></ul>
<div class="search"><form action="/tim-kiem/" method="get"><input name="q" type="text" value="Tìm kiếm..." /><input type="submit" value="Tìm" /></form></div>
<div class="breadcrumb"><a href="/">Trang chủ</a> &gt; <a href="/portal/Pages/nong-nghiep-nong-thon.aspx">Nông nghiệp - Nông thôn mới</a></div>
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
<div class="ms-WPBody"><div class="news-detail">
<h1 class="news-title">Thọ Lộc: Dồn điền đổi thửa gắn với xây dựng cánh đồng lớn</h1>
<div class="news-date">Ngày 09/04/2021 07:55:00</div>
<div class="news-content">
<p>Thực hiện chủ trương dồn điền đổi thửa của huyện, đến nay xã Thọ Lộc đã giảm số thửa ruộng bình quân từ 6,2 thửa xuống còn 1,8 thửa mỗi hộ, tạo điều kiện thuận lợi cho cơ giới hóa sản xuất.</p>
<table class="image" align="center"><tr><td><img src="/portal/PublishingImages/2021/canh-dong-lon-tho-loc.png" alt="Cánh đồng lớn sau dồn điền đổi thửa ở xã Thọ Lộc" width="500" /></td></tr><tr><td class="caption"><em>Cánh đồng lớn sau dồn điền đổi thửa ở xã Thọ Lộc</em></td></tr></table>
<p>Xã đã quy hoạch 3 cánh đồng lớn với tổng diện tích 180 ha, liên kết với doanh nghiệp bao tiêu sản phẩm lúa giống và ngô ngọt. Hệ thống kênh mương nội đồng được cứng hóa hơn 12 km.</p>
<p>Nhờ dồn điền đổi thửa, chi phí sản xuất giảm khoảng 20%, thu nhập trên một héc ta canh tác tăng thêm 15 triệu đồng so với trước.</p>
<p style="text-align: right;"><strong>Thùy Linh</strong></p>
</div>
<div class="tools"><a href="javascript:window.print()">In bài viết</a> | <a href="mailto:?subject=Thọ Lộc: Dồn điền đổi thửa gắn với xây dựng cánh đồng lớn">Gửi email</a> | <a href="javascript:history.back()">Quay lại</a></div>

<div class="other-news"><div class="box-title">Các tin khác</div><ul><li><a href="/portal/Pages/2024-4-22/Phat-trien-san-pham-OCOP-tu-cay-sa-2098.aspx">Phát triển sản phẩm OCOP từ cây sả</a> <span>(22/04/2024)</span></li><li><a href="/portal/Pages/2020-6-18/Mo-hinh-trong-dua-luoi-trong-nha-mang-cho-thu-nhap-cao-1588.aspx">Mô hình trồng dưa lưới trong nhà màng cho thu nhập cao</a> <span>(18/06/2020)</span></li><li><a href="/portal/Pages/2019-5-20/Xa-Yen-Phu-dat-chuan-nong-thon-moi-nang-cao-1302.aspx">Xã Yên Phú đạt chuẩn nông thôn mới nâng cao</a> <span>(20/05/2019)</span></li><li><a href="/portal/Pages/2019-3-14/Huyen-Yen-Tho-ra-quan-san-xuat-vu-Xuan-nam-2019-1245.aspx">Huyện Yên Thọ ra quân sản xuất vụ Xuân năm 2019</a> <span>(14/03/2019)</span></li></ul></div>
</div></div>
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
