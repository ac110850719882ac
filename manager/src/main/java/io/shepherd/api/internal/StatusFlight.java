package io.shepherd.api.internal;

import io.shepherd.protocol.ClusterStatus;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The status calls of one API member share their gatherings: one is gathered at a time, and the
 * calls that arrive meanwhile wait together for the next one, gathered once it ends. Each caller
 * still gets a status gathered after its call arrived, so it sees its own earlier changes; and a
 * member that is slow to answer no longer piles up one status of the whole cluster per poll (seen
 * in {@code bench scale}: 71,000 node statuses alive on an API member of a cluster of 8,300 nodes,
 * its clients having given up on them and asked again).
 */
public final class StatusFlight {

  private final Supplier<CompletableFuture<ClusterStatus>> gather;
  private CompletableFuture<ClusterStatus> running;
  private CompletableFuture<ClusterStatus> next;

  /** @param gather asks the Manager for one status; its stage ends (completed or failed) in bounded time */
  public StatusFlight(Supplier<CompletableFuture<ClusterStatus>> gather) {
    this.gather = gather;
  }

  /** A status gathered after this call: the one starting now, or the next one if another is under way. */
  public CompletableFuture<ClusterStatus> status() {
    CompletableFuture<ClusterStatus> mine;
    synchronized (this) {
      if (running != null) {
        if (next == null) {
          next = new CompletableFuture<>();
        }
        return next;
      }
      running = new CompletableFuture<>();
      mine = running;
    }
    run(mine);
    return mine;
  }

  private void run(CompletableFuture<ClusterStatus> slot) {
    CompletableFuture<ClusterStatus> gathered;
    try {
      gathered = gather.get();
    } catch (RuntimeException e) {
      gathered = CompletableFuture.failedFuture(e);
    }
    gathered.whenComplete((status, error) -> {
      CompletableFuture<ClusterStatus> following;
      synchronized (this) {
        following = next;
        next = null;
        running = following;
      }
      if (following != null) {
        run(following);
      }
      if (error != null) {
        slot.completeExceptionally(error);
      } else {
        slot.complete(status);
      }
    });
  }
}
