package io.shepherd.protocol;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.node.Params;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {

  private final Params params = new Params(Map.of("rate", "100", "gain", "0.5", "on", "yes", "every", "250ms", "bad", "x"));

  @Test
  void typedGettersReadValuesAndFallBack() {
    assertEquals(100, params.getInt("rate", 1));
    assertEquals(7, params.getInt("missing", 7));
    assertEquals(0.5, params.getDouble("gain", 0));
    assertTrue(params.getBoolean("on", false));
    assertEquals(Duration.ofMillis(250), params.getDuration("every", Duration.ZERO));
    assertEquals("100", params.require("rate"));
  }

  @Test
  void badValuesNameTheParamAndTheValue() {
    String message = assertThrows(IllegalArgumentException.class, () -> params.getInt("bad", 0)).getMessage();
    assertEquals("param 'bad' must be a whole number, got 'x'", message);
    assertThrows(IllegalArgumentException.class, () -> params.getDouble("bad", 0));
    assertThrows(IllegalArgumentException.class, () -> params.getBoolean("bad", false));
    assertThrows(IllegalArgumentException.class, () -> params.getDuration("bad", Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> params.getLong("rate", 0, 0, 10));
    assertEquals("param 'nope' is required", assertThrows(IllegalArgumentException.class, () -> params.require("nope")).getMessage());
  }
}
