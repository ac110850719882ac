package io.shepherd.api.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.protocol.ClusterStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StatusFlightTest {

  /** Gatherings asked for, each completed by the test. */
  final List<CompletableFuture<ClusterStatus>> gatherings = new ArrayList<>();
  final StatusFlight flight = new StatusFlight(() -> {
    CompletableFuture<ClusterStatus> gathering = new CompletableFuture<>();
    gatherings.add(gathering);
    return gathering;
  });

  static ClusterStatus status(long epoch) {
    return new ClusterStatus(new ClusterStatus.Manager("akka://shepherd@127.0.0.1:2551", epoch, null), List.of(), List.of(), List.of(),
        List.of(), true, null);
  }

  @Test
  void callsDuringAGatheringShareTheNextOneGatheredAfterThemAndNoMore() {
    CompletableFuture<ClusterStatus> first = flight.status();
    List<CompletableFuture<ClusterStatus>> later = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      later.add(flight.status());
    }
    assertEquals(1, gatherings.size(), "one gathering at a time");
    later.forEach(call -> assertFalse(call.isDone()));

    gatherings.get(0).complete(status(1));
    assertEquals(1, first.join().manager().epoch());
    assertEquals(2, gatherings.size(), "the waiting calls' gathering starts once the first ends");
    later.forEach(call -> assertFalse(call.isDone(), "not answered with a status gathered before the call arrived"));

    gatherings.get(1).complete(status(2));
    later.forEach(call -> assertEquals(2, call.join().manager().epoch()));
    assertEquals(2, gatherings.size());

    CompletableFuture<ClusterStatus> quiet = flight.status();
    assertEquals(3, gatherings.size(), "with none under way, a call starts its own");
    gatherings.get(2).complete(status(3));
    assertEquals(3, quiet.join().manager().epoch());
  }

  @Test
  void aFailedGatheringFailsItsCallsOnlyAndTheNextStillStarts() {
    CompletableFuture<ClusterStatus> first = flight.status();
    CompletableFuture<ClusterStatus> second = flight.status();
    gatherings.get(0).completeExceptionally(new IllegalStateException("no Manager answered"));
    assertThrows(CompletionException.class, first::join);
    assertEquals(2, gatherings.size());
    gatherings.get(1).complete(status(7));
    assertEquals(7, second.join().manager().epoch());
  }

  @Test
  void aGatheringThatFailsAtOnceLeavesNothingStuck() {
    StatusFlight noManager = new StatusFlight(() -> CompletableFuture.failedFuture(new IllegalStateException("no Manager")));
    for (int i = 0; i < 3; i++) {
      CompletableFuture<ClusterStatus> call = noManager.status();
      assertTrue(call.isCompletedExceptionally(), "call " + i);
    }
    StatusFlight throwing = new StatusFlight(() -> {
      throw new IllegalStateException("cannot ask");
    });
    assertTrue(throwing.status().isCompletedExceptionally());
    assertTrue(throwing.status().isCompletedExceptionally(), "and the next call is not left waiting");
  }
}
