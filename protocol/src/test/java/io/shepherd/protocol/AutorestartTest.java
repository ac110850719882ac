package io.shepherd.protocol;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class AutorestartTest {

  @Test
  void readsEverySpellingAUserWritesAndRefusesAnythingElseSayingWhatIsAllowed() {
    assertEquals(Autorestart.ON_FAILURE, Autorestart.of("on-failure"));
    assertEquals(Autorestart.ON_FAILURE, Autorestart.of("ON_FAILURE"));
    assertEquals(Autorestart.NEVER, Autorestart.of(" Never "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autorestart.of("sometimes"));
    assertEquals("autorestart must be always, on-failure or never, not 'sometimes'", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Autorestart.of(null));
    assertEquals("on-failure", Autorestart.ON_FAILURE.spelling());
  }

  @Test
  void onlyAlwaysRestartsAfterACleanExitAndOnlyNeverKeepsAFailedOneDown() {
    assertTrue(Autorestart.ALWAYS.restartsAfterExit(0));
    assertFalse(Autorestart.ON_FAILURE.restartsAfterExit(0));
    assertTrue(Autorestart.ON_FAILURE.restartsAfterExit(3));
    assertTrue(Autorestart.ON_FAILURE.restartsAfterExit(128 + 9), "a signal is a failure");
    assertFalse(Autorestart.NEVER.restartsAfterExit(3));
  }

  @Test
  void aSpecWithoutOneIsRestartedAlwaysAndJsonOfAnOlderClientStillReads() throws Exception {
    assertEquals(Autorestart.ALWAYS, NodeSpec.of("sine", null).autorestart());
    NodeSpec read = new ObjectMapper().readValue(
        "{\"type\":\"sine\",\"autorestart\":\"on-failure\"}", NodeSpec.class);
    assertEquals(Autorestart.ON_FAILURE, read.autorestart());
  }
}
