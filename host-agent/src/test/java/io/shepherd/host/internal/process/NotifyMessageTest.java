package io.shepherd.host.internal.process;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The notify protocol's datagrams, as sd_notify(3) writes them, and the garbage a broken program sends. */
class NotifyMessageTest {

  static NotifyMessage parse(String text) {
    return NotifyMessage.parse(text.getBytes(StandardCharsets.UTF_8)).orElseThrow();
  }

  @Test
  void everyFieldShepherdHonoursIsRead() {
    NotifyMessage all = parse("READY=1\nSTATUS=taking data: 3 of 8\nWATCHDOG=1\nSTOPPING=1\nEXTEND_TIMEOUT_USEC=2500000\nMAINPID=4242\n"
        + "WATCHDOG_USEC=20000000\n");
    assertTrue(all.ready());
    assertEquals("taking data: 3 of 8", all.status(), "a status keeps its own = and :");
    assertTrue(all.watchdog());
    assertFalse(all.watchdogTrigger());
    assertTrue(all.stopping());
    assertEquals(Duration.ofMillis(2500), all.extendTimeout());
    assertEquals(Duration.ofSeconds(20), all.watchdogTimeout());
    assertEquals(4242L, all.mainPid());
    assertEquals(0, all.ignored());
  }

  @Test
  void eachFieldAloneLeavesTheOthersUnset() {
    NotifyMessage ready = parse("READY=1");
    assertTrue(ready.ready());
    assertNull(ready.status());
    assertFalse(ready.watchdog() || ready.stopping() || ready.watchdogTrigger());
    assertNull(ready.extendTimeout());
    assertNull(ready.watchdogTimeout());
    assertNull(ready.mainPid());
    assertEquals(Duration.ZERO, parse("WATCHDOG_USEC=0").watchdogTimeout(), "zero: the watchdog off");
    assertTrue(parse("WATCHDOG=trigger").watchdogTrigger());
    assertFalse(parse("WATCHDOG=trigger").watchdog());
    assertEquals("", parse("STATUS=").status(), "an empty STATUS clears the text");
  }

  @Test
  void unknownKeysAndBadValuesAreIgnoredAsSystemdDoes() {
    NotifyMessage message = parse("READY=2\nRELOADING=1\nFDSTORE=1\nMAINPID=0\nMAINPID=-3\nMAINPID=12x\nEXTEND_TIMEOUT_USEC=soon\n"
        + "WATCHDOG=2\nWATCHDOG_USEC=-1\nno equals sign\n\n\nSTATUS=still here");
    assertFalse(message.ready(), "only READY=1 is ready");
    assertNull(message.mainPid());
    assertNull(message.extendTimeout());
    assertNull(message.watchdogTimeout());
    assertFalse(message.watchdog());
    assertEquals("still here", message.status());
    assertEquals(10, message.ignored());
  }

  @Test
  void aDatagramThatIsNotUtf8TextOrHoldsANulIsGarbage() {
    assertEquals(Optional.empty(), NotifyMessage.parse(new byte[] {'R', 'E', (byte) 0xff, (byte) 0xfe, '=', '1'}));
    assertEquals(Optional.empty(), NotifyMessage.parse("READY=1\0STATUS=x".getBytes(StandardCharsets.UTF_8)));
    assertEquals(0, parse("").ignored(), "an empty datagram says nothing");
  }

  @Test
  void hugeNumbersDoNotOverflow() {
    assertNull(parse("EXTEND_TIMEOUT_USEC=99999999999999999999999").extendTimeout(), "more than 18 digits is no number");
    assertTrue(parse("EXTEND_TIMEOUT_USEC=999999999999999999").extendTimeout().toDays() > 10_000);
  }
}
