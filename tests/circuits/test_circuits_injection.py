"""Nothing from a model file can inject a SPICE card, a .control block or a shell command:
names, comments, file names and expressions are validated, and every error says what and
where."""

import numpy as np
import pytest
from helpers import EXAMPLE_TIME_SCALE

from vle.circuits import (
    Behavioral,
    Circuit,
    CircuitError,
    Resistor,
    Section,
    Subcircuit,
    write_netlist,
)
from vle.circuits.expression import check_expression
from vle.circuits.names import check_name, check_text
from vle.mapping import MappingError, compile
from vle.model import Model, ModelError, Network, Population, Projection, Pwl, SimulationSettings

BAD_NAMES = ["h1\n.control", "a b", ".control", "x;shell", "shell", "SHELL", "endc", "gnd",
             "h(1", "1abc", "", "x" * 200, "h1)", "v(a)"]
BAD_EXPRESSIONS = ["v(a)\n.control", "v(a)\nshell rm -rf /", ".control", "shell(1)",
                   "v(a", "v(a))", "(v(a)", "tanh(v(a)", "v(a);x", "v(a) # c", "exec(1)",
                   "v(shell)", "v(a)*$x", "'v(a)'", "{v(a)}", "u(v(a))"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(CircuitError) as err:
        check_name(name, "node")
    assert str(err.value).startswith("node: ")


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_cannot_enter_elements(name: str) -> None:
    with pytest.raises(CircuitError):
        Resistor("R1", name, "0", 1e3)
    with pytest.raises(CircuitError):
        Subcircuit(name, ("a",), ())
    if name and not name.isalnum():
        with pytest.raises(CircuitError):
            Resistor("R" + name, "a", "0", 1e3)


@pytest.mark.parametrize("expr", BAD_EXPRESSIONS)
def test_bad_expressions_are_refused(expr: str) -> None:
    with pytest.raises(CircuitError) as err:
        Behavioral("B1", "out", "0", "v", expr)
    assert "element 'B1': expression" in str(err.value)
    with pytest.raises(CircuitError):
        check_expression(expr, "expr")


def test_unbalanced_parentheses_are_named() -> None:
    with pytest.raises(CircuitError, match="unbalanced parentheses"):
        check_expression("max(v(a),0", "phi")
    with pytest.raises(CircuitError, match="unbalanced parentheses"):
        check_text("a (b", "comment")


@pytest.mark.parametrize("text", ["two\nlines", "cr\rhere", ".control", "x .endc", "run shell",
                                  "tab\there", "a (b", "bell\x07"])
def test_comment_text_is_one_safe_line(text: str) -> None:
    with pytest.raises(CircuitError):
        check_text(text, "comment")
    with pytest.raises(CircuitError):
        Section(text, ())
    with pytest.raises(CircuitError):
        Circuit(text, ())


def test_subcircuit_descriptions_are_checked() -> None:
    with pytest.raises(CircuitError, match="description"):
        Subcircuit("cell", ("a",), (Resistor("R1", "a", "0", 1.0),), description=("x\n.end",))


def test_model_names_are_identifiers_already() -> None:
    for name in ("h1\n.control", "x;shell", "a(b"):
        with pytest.raises(ModelError, match="plain identifier"):
            Population(name, 1, tau_m=1.0)


def _pwl_model(source: str) -> Model:
    x = Population("x", 1, kind="input")
    h = Population("h", 1, tau_m=1.0, tau_r=0.5, phi="tanh")
    net = Network("n", (x, h), (Projection("x", "h", np.ones((1, 1))),))
    stim = Pwl(t=np.array([0.0, 1.0]), values=np.array([0.0, 1.0]), source=source)
    return Model(net, {"x": stim}, SimulationSettings(dt=0.01, t_stop=1.0))


@pytest.mark.parametrize("source", ["in.npz\n.control", "in.npz\nshell rm -rf ~", "a.control",
                                    "shell.npz", "x(1.npz", "x).npz"])
def test_stimulus_file_names_are_refused(source: str) -> None:
    with pytest.raises(MappingError) as err:
        compile(_pwl_model(source), "ideal")
    assert str(err.value).startswith("stimulus.x: file name")


def test_plain_stimulus_file_name_appears_as_a_comment() -> None:
    circuit, _ = compile(_pwl_model("data/in_1.npz"), "ideal")
    text = write_netlist(circuit)
    assert "* input x: pwl stimulus from file data/in_1.npz" in text.splitlines()


def test_reserved_population_names_are_named_and_lookalikes_pass() -> None:
    def net(name: str) -> Network:
        return Network("n", (Population("x", 1, kind="input"), Population(name, 1, tau_m=1.0)),
                       (Projection("x", name, np.ones((1, 1))),))

    for word in ("shell", "Control"):
        with pytest.raises(MappingError) as err:
            compile(net(word), "ideal")
        assert str(err.value).startswith(f"population {word}: name is a reserved SPICE word")
        assert "rename the population" in str(err.value)
    text = write_netlist(compile(net("shellfish"), "ideal")[0])
    assert "population shellfish" in text
    assert check_text("a shellfish (and a seashell)", "comment")


def test_case_collisions_are_refused() -> None:
    x = Population("x", 1, kind="input")
    pops = (x, Population("H", 1, tau_m=1.0), Population("h", 1, tau_m=1.0))
    projs = (Projection("x", "H", np.ones((1, 1))), Projection("x", "h", np.ones((1, 1))))
    net = Network("n", pops, projs)
    with pytest.raises(MappingError, match="SPICE ignores case"):
        compile(net, "ideal")
    with pytest.raises(CircuitError, match="SPICE ignores case"):
        Circuit("t", (Section("s", (Resistor("R1", "a", "0", 1.0),
                                    Resistor("r1", "a", "0", 1.0))),))


def test_generated_netlists_have_no_control_lines() -> None:
    from vle.model import load_model

    for name in ("lagline", "lagline_gle", "twolayer"):
        model = load_model(f"examples/{name}.toml")
        for tech in ("ideal", "discrete", "onchip"):
            scale = EXAMPLE_TIME_SCALE.get((name, tech))
            text = write_netlist(compile(model, tech, time_scale=scale)[0])
            cards = text.replace("\n+ ", " ").splitlines()
            for card in cards:
                low = card.lower()
                assert not low.startswith((".control", ".endc", ".exec", ".include", ".lib"))
                assert "shell" not in low
                assert card.count("(") == card.count(")"), card
