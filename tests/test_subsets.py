import numpy as np
import pytest

from fmstudy import FmstudyError, classes_for_surname, load_dataset, parse_classes
from fmstudy.data.groups import SWEDISH_ALPHABET, resolve_classes
from fmstudy.data.registry import FASHION_MNIST
from fmstudy.data.subsets import LabelMap, select_classes

NAMES = FASHION_MNIST.classes
A_G, H_M, N_O = (0, 1, 2, 3), (4, 5, 6, 7), (6, 7, 8, 9)


def expected_group(letter: str):
    pos = SWEDISH_ALPHABET.index(letter)
    return A_G if pos <= SWEDISH_ALPHABET.index("G") else H_M if letter <= "M" and pos < 26 else N_O


@pytest.mark.parametrize("letter", list(SWEDISH_ALPHABET))
def test_every_initial_upper_and_lower(letter):
    group = expected_group(letter)
    assert classes_for_surname(letter + "son") == group
    assert classes_for_surname(letter.lower() + "son") == group


def test_group_boundaries_spelled_out():
    assert classes_for_surname("Gustafsson") == A_G
    assert classes_for_surname("Holm") == H_M
    assert classes_for_surname("Mattsson") == H_M
    assert classes_for_surname("Nilsson") == N_O
    assert classes_for_surname("Öberg") == N_O


@pytest.mark.parametrize(
    "name, group",
    [
        ("Élise", A_G),  # É folds to E
        ("Çelik", A_G),
        ("Ñúñez", N_O),
        ("Åberg", N_O),
        ("ärlig", N_O),
        ("Æsir", N_O),  # Æ sorts as Ä
        ("Østergaard", N_O),  # Ø sorts as Ö
        ("Über", N_O),  # Ü sorts as Y
        ("Ìsaksson", H_M),
        ("   lind  ", H_M),
        ("\tAnder", A_G),
    ],
)
def test_diacritics_nordic_and_whitespace(name, group):
    assert classes_for_surname(name) == group


@pytest.mark.parametrize(
    "name", ["", "   ", "1berg", "-lind", "Жуков", "Łukasz", "ßa", "Ωmega", "李"]
)
def test_invalid_surnames_suggest_classes(name):
    with pytest.raises(FmstudyError, match="--classes"):
        classes_for_surname(name)


@pytest.mark.parametrize(
    "spec, want",
    [
        ("4-7", (4, 5, 6, 7)),
        ("4,5,6,7", (4, 5, 6, 7)),
        (" 7 , 4 ", (4, 7)),
        ("coat,shirt", (4, 6)),
        ("Coat, SHIRT", (4, 6)),
        ("tshirttop,ankle boot", (0, 9)),
        ("T-shirt/top,trouser", (0, 1)),
        ("0-1,bag", (0, 1, 8)),
        ("4,4,5", (4, 5)),
    ],
)
def test_class_specs_valid(spec, want):
    assert parse_classes(spec, NAMES) == want


@pytest.mark.parametrize(
    "spec, match",
    [
        ("4", "at least two"),
        ("4,4", "at least two"),
        ("coat", "at least two"),
        ("", "empty"),
        ("4,,5", "empty item"),
        ("7-4", "backwards"),
        ("10,2", "outside"),
        ("3-11", "outside"),
        ("coat-shirt", "ranges go between numbers"),
        ("jacket,coat", "neither"),
    ],
)
def test_class_specs_invalid(spec, match):
    with pytest.raises(FmstudyError, match=match):
        parse_classes(spec, NAMES)


def test_classes_override_surname():
    assert resolve_classes(NAMES, surname="Andersson", classes="8,9") == (8, 9)
    assert resolve_classes(NAMES, surname="Andersson") == A_G
    with pytest.raises(FmstudyError, match="--surname"):
        resolve_classes(NAMES)


def test_label_map_round_trip():
    lm = LabelMap((4, 5, 6, 7))
    y = np.array([7, 4, 6, 5, 4])
    assert lm.encode(y).tolist() == [3, 0, 2, 1, 0]
    assert lm.decode(lm.encode(y)).tolist() == y.tolist()


def test_select_classes_on_synthetic(synthetic):
    spec, data_dir = synthetic
    ds = load_dataset("synth", data_dir)
    sub = select_classes(ds, (4, 5, 6, 7))
    assert set(np.unique(sub.y_train)) == {4, 5, 6, 7}
    assert np.array_equal(sub.y_train, ds.y_train[np.isin(ds.y_train, (4, 5, 6, 7))])
    v = sub.verification()
    assert v["splits"]["train"]["kept"] == 80 and v["splits"]["train"]["share"] == 0.4
    assert v["splits"]["train"]["ok"] and v["splits"]["test"]["ok"]
    assert v["splits"]["test"]["per_class"] == {"4": 6, "5": 6, "6": 6, "7": 6}
    assert v["splits"]["train"]["first_targets"] == sub.y_train[:10].tolist()
    assert v["shapes"]["common_frame"] == [260, 786]
    assert v["class_names"] == ["Coat", "Sandal", "Shirt", "Sneaker"]


def test_share_check_uses_real_class_sizes(synthetic):
    spec, data_dir = synthetic
    ds = load_dataset("synth", data_dir)
    v = select_classes(ds, (0, 1)).verification()
    assert v["splits"]["train"]["expected_kept"] == int(np.isin(ds.y_train, (0, 1)).sum())
