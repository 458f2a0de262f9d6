"""Given names that are also chrome words ('Trang', 'Hội', 'Ban') are still names."""
import pytest

from portal_crawler.extract.authors import lone_name, name_like


@pytest.mark.parametrize("name", ["Đỗ Thu Trang", "Nguyễn Văn Hội", "Lê Thị Ban", "Trần Đài"])
def test_given_names_that_are_chrome_words(name):
    assert name_like(name)
    assert lone_name(name) == name


@pytest.mark.parametrize("line", ["Trang chủ", "Ban Tuyên giáo", "Phòng Văn hóa", "UBND Huyện"])
def test_chrome_lines_are_not_names(line):
    assert not name_like(line)
