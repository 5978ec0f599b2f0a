"""The test kit's page reader finds the element a test names, and nothing else."""

import pytest

from fulian.testing import html

PAGE = """<!doctype html>
<html><body>
<nav><a href="/people/">People</a><input type="search" name="q" id="id_q" value="钟桃华"></nav>
<main>
  <div class="alert alert-danger" role="alert">More than 2 rows: narrow it.</div>
  <div id="person-results"><table><tbody>
    <tr><td data-label="Full name"><a href="/people/7/">钟桃华</a> <span class="fl-level">Backbone</span></td>
        <td>回龙村</td></tr>
    <tr><td data-label="Full name"><a href="/people/8/">李秀英</a><br>二组</td><td>回龙村</td></tr>
  </tbody></table></div>
  <form id="edit">
    <div class="mb-3"><label for="id_mobile">Mobile</label><input name="mobile" id="id_mobile" value="123">
      <div class="invalid-feedback d-block">Enter an 11-digit mobile number.</div></div>
    <div class="mb-3"><label for="id_name">Name</label><input name="name" id="id_name"></div>
    <div class="mb-3"><label for="id_categories_0">Categories</label>
      <div id="id_categories"><input type="checkbox" name="categories" id="id_categories_0"></div>
      <div class="invalid-feedback d-block">Unknown category.</div></div>
  </form>
</main>
<footer><p>Contact 2 <img src="x.png"></p></footer>
</body></html>"""


def test_text_is_what_the_element_shows_not_attribute_values() -> None:
    assert html.texts(PAGE, "#person-results td:first-child a") == ["钟桃华", "李秀英"]
    assert html.text(PAGE, "main .alert-danger") == "More than 2 rows: narrow it."
    # The search box holds 钟桃华 as a value: it is not text of the navigation.
    assert html.text(PAGE, "nav") == "People"
    assert html.texts(PAGE, "tbody > tr > td[data-label='Full name']") == ["钟桃华 Backbone", "李秀英 二组"]


def test_attributes_and_positions_select_elements() -> None:
    assert [a.get("href") for a in html.select(PAGE, "a[href^='/people/']")] == ["/people/", "/people/7/", "/people/8/"]
    assert [a.get("href") for a in html.select(PAGE, "main a[href*=people]")] == ["/people/7/", "/people/8/"]
    assert html.texts(PAGE, "tr > td:last-child") == ["回龙村", "回龙村"]
    assert html.select(PAGE, "footer img")[0].get("src") == "x.png"  # a void element closes itself


def test_select_one_fails_unless_exactly_one_matches() -> None:
    with pytest.raises(AssertionError, match="2 elements match"):
        html.select_one(PAGE, "#person-results a")
    with pytest.raises(AssertionError, match="0 elements match"):
        html.select_one(PAGE, "#nowhere")


def test_field_errors_are_those_beside_the_field() -> None:
    assert html.field_errors(PAGE, "mobile") == ["Enter an 11-digit mobile number."]
    assert html.field_errors(PAGE, "name") == []
    assert html.field_errors(PAGE, "categories") == ["Unknown category."]


def test_alerts_by_kind() -> None:
    assert html.alerts(PAGE, "danger") == ["More than 2 rows: narrow it."]
    assert html.alerts(PAGE, "success") == []
