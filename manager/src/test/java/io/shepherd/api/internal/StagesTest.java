package io.shepherd.api.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

class StagesTest {

  /** A stage as Akka's Java API hands them out: a Scala future converted. */
  private static final class Converted {
    final Promise<String> promise = Promise.apply();
    final CompletionStage<String> stage = FutureConverters.asJava(promise.future());

    void completeFrom(String threadName, Runnable completion) throws InterruptedException {
      Thread completer = new Thread(completion, threadName);
      completer.start();
      completer.join();
    }
  }

  @Test
  void aConvertedStageRunsEvenPlainCallbacksOnAnotherThread() throws Exception {
    Converted converted = new Converted();
    CompletableFuture<String> ranOn = converted.stage.thenApply(value -> Thread.currentThread().getName()).toCompletableFuture();
    converted.completeFrom("completer", () -> converted.promise.success("done"));
    assertNotEquals("completer", ranOn.get(10, TimeUnit.SECONDS), "why Stages exists: the callback was handed to an executor");
  }

  @Test
  void aPlainStageRunsItsCallbacksOnTheThreadThatCompletesIt() throws Exception {
    Converted converted = new Converted();
    CompletableFuture<String> plain = Stages.plain(converted.stage);
    assertSame(CompletableFuture.class, plain.getClass());
    CompletableFuture<String> ranOn = plain.thenApply(value -> value + " on " + Thread.currentThread().getName());
    converted.completeFrom("completer", () -> converted.promise.success("done"));
    assertEquals("done on completer", ranOn.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aFailureIsPassedOnAsItIs() throws Exception {
    Converted converted = new Converted();
    CompletableFuture<String> plain = Stages.plain(converted.stage);
    IllegalStateException failure = new IllegalStateException("no Manager");
    converted.completeFrom("completer", () -> converted.promise.failure(failure));
    ExecutionException thrown = assertThrows(ExecutionException.class, () -> plain.get(10, TimeUnit.SECONDS));
    assertSame(failure, thrown.getCause());
  }
}
