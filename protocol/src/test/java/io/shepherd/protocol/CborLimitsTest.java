package io.shepherd.protocol;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.shepherd.testing.RoundTrip;
import io.shepherd.testing.TestConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The limits Jackson reads within, in the serializer Akka uses for every cross-JVM message. */
class CborLimitsTest {

  static final ActorSystem<Void> system = CborLimits.actorSystem(Behaviors.empty(), "limits", TestConfig.local());

  @AfterAll
  static void shutdown() {
    system.terminate();
  }

  static ObjectMapper mapper() {
    return JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.empty());
  }

  @Test
  void messagesStillRoundTrip() {
    LogRecord record = new LogRecord("a", 1, 2, LogLevel.INFO, null, "l", "t", "m", null);
    assertEquals(record, RoundTrip.roundTrip(system, record));
  }

  @Test
  void tooDeepNestingIsRefused() throws Exception {
    Object nested = List.of();
    for (int i = 0; i < CborLimits.MAX_NESTING + 10; i++) {
      nested = List.of(nested);
    }
    byte[] bytes = new ObjectMapper(new CBORFactory()).writeValueAsBytes(Map.of("source", nested));
    // Read as untyped: the depth is checked while parsing, whatever the target type.
    Exception e = assertThrows(Exception.class, () -> mapper().readValue(bytes, Object.class));
    assertTrue(e.getMessage().contains("nesting depth"), e.getMessage());
  }

  @Test
  void tooLongStringsAreRefused() throws Exception {
    byte[] bytes = new ObjectMapper(new CBORFactory()).writeValueAsBytes(Map.of("message", "x".repeat(CborLimits.MAX_STRING + 1)));
    Exception e = assertThrows(Exception.class, () -> mapper().readValue(bytes, LogRecord.class));
    assertTrue(e.getMessage().contains("String value length"), e.getMessage());
  }
}
