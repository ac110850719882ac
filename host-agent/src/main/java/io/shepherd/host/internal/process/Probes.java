package io.shepherd.host.internal.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The probes of one host's process nodes: a tcp connect, an http GET, a command's exit. Each is
 * asynchronous and given a timeout; each completes with null if it succeeded, else with why not.
 * They share one scheduler thread (made on first use) and the JDK's HTTP client.
 */
final class Probes implements AutoCloseable {

  private final InetAddress address;
  private volatile ScheduledExecutorService scheduler;
  private volatile HttpClient http;

  /** @param address where tcp probes connect (the host's loopback address) */
  Probes(InetAddress address) {
    this.address = address;
  }

  /** The scheduler the probe loops run on. */
  synchronized ScheduledExecutorService scheduler() {
    if (scheduler == null) {
      ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "shepherd-probes");
        thread.setDaemon(true);
        return thread;
      });
      executor.setRemoveOnCancelPolicy(true);
      scheduler = executor;
    }
    return scheduler;
  }

  /** A connect to {@code port} on the host's address. */
  CompletableFuture<String> tcp(int port, Duration timeout) {
    CompletableFuture<String> done = new CompletableFuture<>();
    AsynchronousSocketChannel channel;
    try {
      channel = AsynchronousSocketChannel.open();
    } catch (IOException e) {
      return CompletableFuture.completedFuture("cannot open a socket: " + e.getMessage());
    }
    String where = address.getHostAddress() + ":" + port;
    channel.connect(new InetSocketAddress(address, port), null, new CompletionHandler<Void, Void>() {
      @Override
      public void completed(Void result, Void attachment) {
        done.complete(null);
      }

      @Override
      public void failed(Throwable error, Void attachment) {
        done.complete("tcp connect to " + where + ": " + describe(error));
      }
    });
    return done.completeOnTimeout("tcp connect to " + where + ": no answer within " + timeout.toMillis() + " ms",
        timeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((outcome, error) -> close(channel));
  }

  /** A GET of {@code url}, answered 2xx. */
  CompletableFuture<String> http(String url, Duration timeout) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture("http GET " + url + ": " + e.getMessage());
    }
    return httpClient().sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .thenApply(response -> response.statusCode() / 100 == 2 ? null : "http GET " + url + ": status " + response.statusCode())
        .exceptionally(error -> "http GET " + url + ": " + describe(error));
  }

  /** A command's process, as {@link ProcessHost#startHelper} starts it. */
  interface CommandStart {
    Process start() throws IOException;
  }

  /**
   * A command ({@code name}, started by {@code start} in a session of its own) exiting 0 within
   * {@code timeout}; past it, or if the returned future is cancelled (its node stopped), its whole
   * session is killed.
   */
  CompletableFuture<String> command(String name, CommandStart start, Duration timeout) {
    Process process;
    try {
      process = start.start();
    } catch (IOException e) {
      return CompletableFuture.completedFuture("command " + name + " could not start: " + e.getMessage());
    }
    CompletableFuture<String> outcome = process.onExit()
        .thenApply(ended -> ended.exitValue() == 0 ? null : "command " + name + " exited with " + ProcessNode.describe(ended.exitValue()))
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .exceptionally(error -> {
          Sessions.signal(process.pid(), true);
          return error instanceof TimeoutException || error.getCause() instanceof TimeoutException
              ? "command " + name + " did not exit within " + timeout.toMillis() + " ms (killed)"
              : "command " + name + ": " + describe(error);
        });
    outcome.whenComplete((result, error) -> {
      if (error instanceof CancellationException) {
        Sessions.signal(process.pid(), true);
      }
    });
    return outcome;
  }

  private synchronized HttpClient httpClient() {
    if (http == null) {
      http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "shepherd-probes-http");
        thread.setDaemon(true);
        return thread;
      })).build();
    }
    return http;
  }

  /** An error's class and message, without the wrapping of futures. */
  static String describe(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }

  private static void close(AsynchronousSocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // closed already
    }
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
