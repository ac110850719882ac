package io.shepherd.api.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Akka's Java API hands out Scala futures converted to {@link CompletionStage}s, whose plain
 * callbacks ({@code thenApply}, {@code whenComplete}...) run as their async forms on the JDK's
 * default executor. On a machine of fewer than 3 cores that executor makes a new thread for every
 * callback: a thread per API request, 20,000 of them in one run of {@code bench create-1000}.
 */
public final class Stages {

  private Stages() {}

  /** A plain {@link CompletableFuture} completed as {@code stage} is, on the thread that completes it. */
  public static <T> CompletableFuture<T> plain(CompletionStage<T> stage) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    stage.whenCompleteAsync((value, error) -> {
      if (error != null) {
        plain.completeExceptionally(error);
      } else {
        plain.complete(value);
      }
    }, Runnable::run);
    return plain;
  }
}
