package io.shepherd.protocol;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

  @Test
  void pathsParseAndPrint() {
    NodePath path = NodePath.parse("daq1/acq/sine");
    assertEquals(new NodePath("daq1", "acq", "sine"), path);
    assertEquals("daq1/acq/sine", path.toString());
    assertEquals(GroupPath.parse("daq1/acq"), path.groupPath());
    assertTrue(GroupPath.parse("any/analysis").floating());
    assertFalse(GroupPath.parse("daq1/analysis").floating());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "daq1", "daq1/acq", "daq1/acq/sine/x", "/acq/sine", "daq1//sine", "daq1/acq/",
      "daq 1/acq/sine", "daq1/acq/s!ne", "-daq/acq/sine", "all/acq/sine", "daq1/acq/\u00e9t\u00e9"})
  void malformedNodePathsAreRefusedWithTheReason(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodePath.parse(text));
    assertFalse(e.getMessage().isBlank());
  }

  @Test
  void errorsSayWhatIsWrong() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NodePath.parse("daq1/acq"))
        .getMessage().contains("expected HOST/GROUP/NODE"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NodePath.parse("daq1/acq/"))
        .getMessage().contains("node name is empty"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NodePath.parse("all/acq/x"))
        .getMessage().contains("reserved"));
    String huge = "n".repeat(10_000);
    String message = assertThrows(IllegalArgumentException.class, () -> NodePath.parse("daq1/acq/" + huge)).getMessage();
    assertTrue(message.contains("10000 characters"), message);
    assertTrue(message.length() < 300, "an error for a huge input stays readable");
    assertThrows(IllegalArgumentException.class, () -> NodePath.parse(null));
  }

  @Test
  void hostIdsMayNotBeReservedWords() {
    assertEquals("daq1", Names.checkHostId("daq1"));
    assertThrows(IllegalArgumentException.class, () -> Names.checkHostId("any"));
    assertThrows(IllegalArgumentException.class, () -> Names.checkHostId("all"));
    assertEquals("any", Names.checkPlacement("any"));
  }

  @Test
  void specsRefuseBadParams() {
    assertThrows(IllegalArgumentException.class, () -> NodeSpec.of("", Map.of()));
    assertThrows(IllegalArgumentException.class, () -> NodeSpec.of("x".repeat(NodeSpec.MAX_TYPE_LENGTH + 1), Map.of()));
    HashMap<String, String> nullValue = new HashMap<>();
    nullValue.put("rate", null);
    assertThrows(IllegalArgumentException.class, () -> NodeSpec.of("sine", nullValue));
    assertThrows(IllegalArgumentException.class, () -> NodeSpec.of("sine", Map.of("rate", "x".repeat(NodeSpec.MAX_PARAM_LENGTH + 1))));
    NodeSpec spec = NodeSpec.of("sine", Map.of("rate", "100"));
    assertEquals(Mode.AUTO, spec.mode());
    assertEquals("100", spec.params().get("rate"));
  }

  @Test
  void restartPoliciesRefuseNonsense() {
    Duration s = Duration.ofSeconds(1);
    assertThrows(IllegalArgumentException.class, () -> new RestartPolicy(s.negated(), s, 0.1, s, 3, s));
    assertThrows(IllegalArgumentException.class, () -> new RestartPolicy(s.multipliedBy(2), s, 0.1, s, 3, s));
    assertThrows(IllegalArgumentException.class, () -> new RestartPolicy(s, s, 1.5, s, 3, s));
    assertThrows(IllegalArgumentException.class, () -> new RestartPolicy(s, s, 0.1, s, -1, s));
    assertThrows(IllegalArgumentException.class, () -> new RestartPolicy(s, s, Double.NaN, s, 1, s));
    assertThrows(IllegalArgumentException.class, () -> new RestartPolicy(s, s, 0.1, s, 1, null));
  }
}
