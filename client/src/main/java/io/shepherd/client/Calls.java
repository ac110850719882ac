package io.shepherd.client;

import io.shepherd.protocol.ErrorCode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** What every part of the client does alike: check arguments into failed stages, build query strings, wait for a stage. */
final class Calls {

  private Calls() {}

  /** The parsed value, or a stage failed with {@link ShepherdException.InvalidArgument}: a bad argument is never thrown. */
  static <T> CompletableFuture<T> parse(Supplier<T> parser) {
    try {
      return CompletableFuture.completedFuture(parser.get());
    } catch (IllegalArgumentException | NullPointerException e) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument(String.valueOf(e.getMessage())));
    }
  }

  static <T> CompletableFuture<T> invalid(String message) {
    return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument(message));
  }

  /** A query string of the parameters that are not empty. */
  static String query(Map<String, String> params) {
    String query = new TreeMap<>(params).entrySet().stream().filter(e -> !e.getValue().isEmpty())
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    return query.isEmpty() ? "" : "?" + query;
  }

  /** Waits for {@code stage} at most {@code timeout}; its failure is thrown as the {@link ShepherdException} it is. */
  static <T> T join(CompletionStage<T> stage, Duration timeout) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ShepherdException.Timeout("interrupted");
    } catch (ExecutionException e) {
      throw Http.unwrap(e) instanceof ShepherdException s ? s : new ShepherdException(ErrorCode.INTERNAL, Http.unwrap(e).toString());
    } catch (TimeoutException e) {
      throw new ShepherdException.Timeout("no answer within " + timeout.toMillis() + " ms");
    }
  }
}
