package io.shepherd.manager.internal;

/**
 * When a command about a group or node was last sent to its host, and whether the host has
 * reported on that group or node since: commands are idempotent and resent while the host's
 * reports do not show them done, at most once a resend interval; one not yet answered counts
 * against its host's commands in flight until the interval is over.
 */
public final class Resend {

  private long lastSent;
  private boolean awaiting;

  /** A command was sent at {@code now}. */
  public void sent(long now) {
    lastSent = now;
    awaiting = true;
  }

  /** The next command may go at once (the host changed, or what it ran is gone). */
  public void now() {
    lastSent = 0;
    awaiting = false;
  }

  /** The host reported on the group or node: the command sent last is answered. Returns true if one was awaited. */
  public boolean answered() {
    boolean was = awaiting;
    awaiting = false;
    return was;
  }

  /** True if a command went less than {@code intervalNanos} ago and the host has not reported since. */
  public boolean awaiting(long now, long intervalNanos) {
    return awaiting && now - lastSent < intervalNanos;
  }

  /** True if a command may be sent at {@code now}: none was, or the last one is {@code intervalNanos} old. */
  public boolean due(long now, long intervalNanos) {
    return lastSent == 0 || now - lastSent >= intervalNanos;
  }
}
