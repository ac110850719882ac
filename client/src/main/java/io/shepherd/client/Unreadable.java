package io.shepherd.client;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/** What a subscription could not read (a value of a newer member's): counted, and said once, never dropped in silence. */
final class Unreadable {

  private static final System.Logger LOG = System.getLogger(Unreadable.class.getName());

  private final String what;
  private final AtomicLong count = new AtomicLong();

  /** @param what what was skipped, e.g. "an event" */
  Unreadable(String what) {
    this.what = what;
  }

  void skipped(IOException why) {
    if (count.incrementAndGet() == 1) {
      String reason = why.getMessage() == null ? why.getClass().getSimpleName() : why.getMessage().lines().findFirst().orElse("");
      LOG.log(System.Logger.Level.WARNING, what + " this client cannot read was skipped (is the member newer?): " + reason
          + "; unreadable() counts them");
    }
  }

  long count() {
    return count.get();
  }
}
