package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/**
 * Whether an AUTO node is restarted after it ends — supervisord's {@code autorestart}, systemd's
 * {@code Restart=}, and what makes Architect's one-shot roles possible. {@code ALWAYS} (the
 * default): every crash, and every exit of a process node, is restarted within the node's restart
 * budget. {@code ON_FAILURE}: a process that exits with 0 is done (STOPPED, and its requested
 * state follows); any other end is a crash, restarted. {@code NEVER}: a process that ends by itself
 * is done whatever its exit (STOPPED, its exit shown); any other crash leaves the node FAILED until
 * a new request.
 */
public enum Autorestart {
  ALWAYS,
  ON_FAILURE,
  NEVER;

  /** Reads {@code always}, {@code on-failure} or {@code never}, in any case, with {@code -} or {@code _}. */
  @JsonCreator
  public static Autorestart of(String text) {
    String name = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (Autorestart value : values()) {
      if (value.name().equals(name)) {
        return value;
      }
    }
    throw new IllegalArgumentException("autorestart must be always, on-failure or never, not '" + Names.abbreviate(String.valueOf(text))
        + "'");
  }

  /** True if a process that ended by itself with {@code exitValue} (128 + N for signal N) is restarted, not done. */
  public boolean restartsAfterExit(int exitValue) {
    return switch (this) {
      case ALWAYS -> true;
      case ON_FAILURE -> exitValue != 0;
      case NEVER -> false;
    };
  }

  /** How the site file and the CLI spell it: {@code always}, {@code on-failure}, {@code never}. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
