package io.shepherd.host.internal.process;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * One datagram of systemd's notify protocol ({@code sd_notify(3)}): newline-separated
 * {@code KEY=VALUE} assignments. The ones Shepherd honours are fields here; any other line (an
 * unknown key, a bad value) is ignored, as systemd does. A datagram that is not UTF-8 text, or
 * holds a NUL, is garbage and dropped whole.
 *
 * @param ready {@code READY=1}
 * @param status {@code STATUS=...} (empty: cleared), or null if not sent
 * @param watchdog {@code WATCHDOG=1}
 * @param watchdogTrigger {@code WATCHDOG=trigger}: the program asks for its watchdog to fire now
 * @param stopping {@code STOPPING=1}
 * @param extendTimeout {@code EXTEND_TIMEOUT_USEC=N}, or null
 * @param watchdogTimeout {@code WATCHDOG_USEC=N} sent at run time (zero: the watchdog off), or null
 * @param mainPid {@code MAINPID=N}, or null
 * @param ignored how many lines were ignored
 */
record NotifyMessage(boolean ready, String status, boolean watchdog, boolean watchdogTrigger, boolean stopping, Duration extendTimeout,
                     Duration watchdogTimeout, Long mainPid, int ignored) {

  /** The assignments of {@code datagram}, or empty if it is garbage. */
  static Optional<NotifyMessage> parse(byte[] datagram) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(datagram)).toString();
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
    if (text.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    boolean ready = false;
    String status = null;
    boolean watchdog = false;
    boolean trigger = false;
    boolean stopping = false;
    Duration extend = null;
    Duration watchdogTimeout = null;
    Long mainPid = null;
    int ignored = 0;
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      String key = eq < 0 ? line : line.substring(0, eq);
      String value = eq < 0 ? null : line.substring(eq + 1);
      boolean taken = true;
      switch (key) {
        case "READY" -> ready |= taken = "1".equals(value);
        case "STATUS" -> taken = (status = value) != null;
        case "WATCHDOG" -> {
          watchdog |= "1".equals(value);
          trigger |= "trigger".equals(value);
          taken = "1".equals(value) || "trigger".equals(value);
        }
        case "STOPPING" -> stopping |= taken = "1".equals(value);
        case "EXTEND_TIMEOUT_USEC" -> {
          Long micros = number(value);
          taken = micros != null;
          extend = micros == null ? extend : micros(micros);
        }
        case "WATCHDOG_USEC" -> {
          Long micros = number(value);
          taken = micros != null;
          watchdogTimeout = micros == null ? watchdogTimeout : micros(micros);
        }
        case "MAINPID" -> {
          Long pid = number(value);
          taken = pid != null && pid > 0;
          mainPid = taken ? pid : mainPid;
        }
        default -> taken = false;
      }
      if (!taken) {
        ignored++;
      }
    }
    return Optional.of(new NotifyMessage(ready, status, watchdog, trigger, stopping, extend, watchdogTimeout, mainPid, ignored));
  }

  private static Duration micros(long micros) {
    return Duration.ofNanos(Math.multiplyExact(Math.min(micros, Long.MAX_VALUE / 1000), 1000L));
  }

  /** A decimal number of at most 18 digits, or null. */
  private static Long number(String value) {
    if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    return Long.parseLong(value);
  }
}
