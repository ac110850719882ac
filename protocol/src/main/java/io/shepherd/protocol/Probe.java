package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How Shepherd learns that a node is ready ({@code readiness}) or still alive ({@code liveness}).
 *
 * <ul>
 *   <li>{@code none}: readiness — the node is RUNNING as soon as it has started (its process
 *       exists, or its {@code start()} returned); liveness — nothing beyond the process's exit.
 *   <li>{@code notify}, for process nodes: systemd's notify protocol. Shepherd sets
 *       {@code NOTIFY_SOCKET}; {@code READY=1} makes the node RUNNING; as liveness, Shepherd sets
 *       {@code WATCHDOG_USEC} to {@code timeout} and a node that sends no {@code WATCHDOG=1} within
 *       it has crashed ({@code deadlock-detected}).
 *   <li>{@code tcp} (a connect to {@code port}, a number or {@code ${port:NAME}}), {@code http} (a
 *       GET of {@code url} answered 2xx) and {@code command} (a command exiting 0 within
 *       {@code timeout}), for process nodes: run every {@code period}, each given {@code timeout}.
 *       As readiness, the first success makes the node RUNNING; as liveness, {@code failures}
 *       failures in a row are a crash ({@code liveness-failed}).
 *   <li>{@code explicit}, readiness of Java nodes: the node is RUNNING when it calls
 *       {@code NodeContext.ready()}, not when {@code start()} returns.
 * </ul>
 *
 * A node with readiness is STARTING until ready, and crashes ({@code not-ready}) if it is not ready
 * within its start timeout.
 *
 * @param type how: none, notify, tcp, http, command or explicit
 * @param port for tcp: the port on this host's loopback address, a number or {@code ${port:NAME}}
 * @param url for http: the URL to GET (http only), which may hold {@code ${port:NAME}}
 * @param command for command: the executable (on the host's allow-list) and its arguments
 * @param period how often a probe runs (default 1 s)
 * @param timeout how long one probe may take (default 1 s); for notify liveness, the watchdog
 *     deadline (default 10 s)
 * @param failures for liveness: how many failed probes in a row are a crash (default 3)
 */
public record Probe(Type type, String port, String url, List<String> command, Duration period, Duration timeout, Integer failures)
    implements CborSerializable {

  /** The kinds of check. */
  public enum Type {
    NONE, NOTIFY, TCP, HTTP, COMMAND, EXPLICIT;

    /** Reads a type name in any case. */
    @JsonCreator
    public static Type of(String text) {
      String name = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
      for (Type type : values()) {
        if (type.name().equals(name)) {
          return type;
        }
      }
      throw new IllegalArgumentException("a check's type must be none, notify, tcp, http, command or explicit, not '"
          + Names.abbreviate(String.valueOf(text)) + "'");
    }

    /** How site files spell it. */
    public String spelling() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** No check. */
  public static final Probe NONE = new Probe(Type.NONE, null, null, null, null, null, null);
  /** The longest period, timeout or start timeout accepted. */
  public static final Duration MAX_DURATION = Duration.ofHours(24);
  private static final Duration DEFAULT_PERIOD = Duration.ofSeconds(1);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration DEFAULT_WATCHDOG = Duration.ofSeconds(10);

  @JsonCreator
  public Probe {
    type = type == null ? Type.NONE : type;
    require(type == Type.TCP, port, "port", "tcp");
    require(type == Type.HTTP, url, "url", "http");
    require(type == Type.COMMAND, command, "command", "command");
    if (port != null) {
      checkPort(port);
    }
    if (url != null && (!url.startsWith("http://") || url.length() > ProcessSpec.MAX_LENGTH || url.indexOf('\0') >= 0)) {
      throw new IllegalArgumentException("url '" + Names.abbreviate(url) + "' must be an http:// URL, e.g. http://127.0.0.1:${port:web}/health");
    }
    if (command != null) {
      command = ProcessSpec.of(command.toArray(String[]::new)).command();
    }
    boolean probes = type == Type.TCP || type == Type.HTTP || type == Type.COMMAND;
    if (period != null && !probes) {
      throw new IllegalArgumentException("period belongs to tcp, http and command checks, not to " + type.spelling());
    }
    if (timeout != null && !probes && type != Type.NOTIFY) {
      throw new IllegalArgumentException("timeout belongs to tcp, http, command and notify checks, not to " + type.spelling());
    }
    if (failures != null && !probes) {
      throw new IllegalArgumentException("failures belongs to tcp, http and command checks, not to " + type.spelling());
    }
    checkDuration("period", period);
    checkDuration("timeout", timeout);
    if (failures != null && (failures < 1 || failures > 1000)) {
      throw new IllegalArgumentException("failures must be between 1 and 1000, got " + failures);
    }
  }

  /** A probe of {@code type} with its defaults and nothing else set (none, notify, explicit). */
  public static Probe of(Type type) {
    return new Probe(type, null, null, null, null, null, null);
  }

  public static Probe tcp(String port) {
    return new Probe(Type.TCP, port, null, null, null, null, null);
  }

  public static Probe http(String url) {
    return new Probe(Type.HTTP, null, url, null, null, null, null);
  }

  public static Probe command(String... command) {
    return new Probe(Type.COMMAND, null, null, List.of(command), null, null, null);
  }

  public Probe withPeriod(Duration every) {
    return new Probe(type, port, url, command, every, timeout, failures);
  }

  public Probe withTimeout(Duration limit) {
    return new Probe(type, port, url, command, period, limit, failures);
  }

  public Probe withFailures(int inARow) {
    return new Probe(type, port, url, command, period, timeout, inARow);
  }

  /** True unless this is no check at all. */
  public boolean active() {
    return type != Type.NONE;
  }

  /** True for the checks Shepherd runs itself: tcp, http, command. */
  public boolean polls() {
    return type == Type.TCP || type == Type.HTTP || type == Type.COMMAND;
  }

  /** The period, or its default. */
  public Duration periodOrDefault() {
    return period == null ? DEFAULT_PERIOD : period;
  }

  /** The timeout, or its default (for notify, the watchdog's). */
  public Duration timeoutOrDefault() {
    return timeout != null ? timeout : type == Type.NOTIFY ? DEFAULT_WATCHDOG : DEFAULT_TIMEOUT;
  }

  /** The failures in a row that fail a liveness probe, or its default. */
  public int failuresOrDefault() {
    return failures == null ? 3 : failures;
  }

  /** How status and logs show it, e.g. {@code tcp ${port:data}}. */
  public String describe() {
    return switch (type) {
      case TCP -> "tcp " + port;
      case HTTP -> "http " + url;
      case COMMAND -> "command " + String.join(" ", command);
      default -> type.spelling();
    };
  }

  private static void require(boolean needed, Object value, String field, String type) {
    if (needed && value == null) {
      throw new IllegalArgumentException("a " + type + " check needs a " + field);
    }
    if (!needed && value != null) {
      throw new IllegalArgumentException(field + " belongs to " + type + " checks only");
    }
  }

  private static void checkPort(String port) {
    if (ProcessSpec.PORT_REFERENCE.matcher(port).matches()) {
      ProcessSpec.checkPortReferences("port", port);
      return;
    }
    try {
      int number = Integer.parseInt(port.trim());
      if (number >= 1 && number <= 65535) {
        return;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException("port '" + Names.abbreviate(port) + "' must be a number from 1 to 65535 or ${port:NAME}");
  }

  private static void checkDuration(String what, Duration value) {
    if (value != null && (value.isNegative() || value.isZero() || value.compareTo(MAX_DURATION) > 0)) {
      throw new IllegalArgumentException(what + " must be above 0 and at most 24 h, got " + value);
    }
  }
}
