from django.utils import translation

from fulian.core.words import list_text


def test_a_list_reads_with_the_readers_separator() -> None:
    with translation.override("zh-hans"):
        assert list_text(["三留户", "低保户"]) == "三留户、低保户"
    with translation.override("en"):
        assert list_text(["Left-behind", "Subsistence"]) == "Left-behind, Subsistence"
