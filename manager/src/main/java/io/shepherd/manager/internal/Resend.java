package io.shepherd.manager.internal;

/**
 * When a command about a group or node was last sent to its host: commands are idempotent and
 * resent while the host's reports do not show them done, at most once a resend interval.
 */
public final class Resend {

  private long lastSent;

  /** A command was sent at {@code now}. */
  public void sent(long now) {
    lastSent = now;
  }

  /** The next command may go at once (the host changed, or what it ran is gone). */
  public void now() {
    lastSent = 0;
  }

  /** True if a command may be sent at {@code now}: none was, or the last one is {@code intervalNanos} old. */
  public boolean due(long now, long intervalNanos) {
    return lastSent == 0 || now - lastSent >= intervalNanos;
  }
}
