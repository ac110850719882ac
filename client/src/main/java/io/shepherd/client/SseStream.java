package io.shepherd.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A Server-Sent Event stream from the API, read on a thread of its own, that reconnects by itself:
 * to the next manager member if one goes, with {@code Last-Event-ID} (or whatever the path builder
 * puts in the query) so that the server resumes where it left off. Events reach the handler on
 * this thread, one at a time; a slow handler slows only this stream (the server drops it if it
 * falls too far behind, and it resumes).
 */
final class SseStream implements AutoCloseable {

  /** One event: its id (or null), type and data (the JSON). */
  public record SseEvent(String id, String type, String data) {}

  /** What the stream tells its owner besides events. */
  public interface Listener {
    void onEvent(SseEvent event);

    /** Connected (again) to {@code base}. */
    default void onConnected(URI base) {}

    /** The connection was lost; the stream reconnects. */
    default void onDisconnected(URI base, String why) {}

    /** The stream ended for good: refused (bad request, not allowed) or no member answered for too long. */
    default void onFailed(ShepherdException error) {}
  }

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(50);

  private final Http http;
  private final Function<String, String> path;
  private final Listener listener;
  private final Duration giveUpAfter;
  private final Thread thread;
  private final CountDownLatch settled = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile HttpURLConnection connection;
  private volatile String lastId;

  /**
   * @param path the path and query to connect to, given the id of the last event seen (null before any)
   * @param giveUpAfter fail once no member has answered for this long; null: never give up
   */
  public SseStream(Http http, String name, Function<String, String> path, Listener listener, Duration giveUpAfter) {
    this.http = http;
    this.path = path;
    this.listener = listener;
    this.giveUpAfter = giveUpAfter;
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
  }

  public SseStream start() {
    thread.start();
    return this;
  }

  /**
   * Waits until the stream first connects, or fails, or {@code timeout} passes; true once connected
   * (every event from then on is delivered).
   */
  public boolean awaitConnected(Duration timeout) {
    try {
      return settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && !closed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The id of the last event seen, or null. */
  public String lastId() {
    return lastId;
  }

  private void run() {
    int index = http.preferred();
    long lastContact = System.nanoTime();
    long backoff = 100;
    while (!closed) {
      URI base = http.bases().get(index % http.bases().size());
      try {
        // A stream quiet for three heartbeats (the server sends one every 15 s) is a dead connection.
        HttpURLConnection open = http.open(base, path.apply(lastId), "GET", READ_TIMEOUT);
        open.setRequestProperty("Accept", "text/event-stream");
        if (lastId != null) {
          open.setRequestProperty("Last-Event-ID", lastId);
        }
        connection = open;
        if (closed) {
          return;
        }
        int status = open.getResponseCode();
        if (status != 200) {
          InputStream error = open.getErrorStream();
          byte[] body = error == null ? new byte[0] : error.readAllBytes();
          open.disconnect();
          if (status != 503) {
            fail(http.problem(status, body));
            return;
          }
        } else {
          lastContact = System.nanoTime();
          backoff = 100;
          listener.onConnected(base);
          settled.countDown();
          try (InputStream in = open.getInputStream()) {
            read(in);
          }
          lastContact = System.nanoTime();
          if (!closed) {
            listener.onDisconnected(base, "the stream ended");
          }
        }
      } catch (IOException e) {
        if (closed) {
          return;
        }
        if (!Http.notSent(e)) {
          lastContact = System.nanoTime();
          listener.onDisconnected(base, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
      }
      if (closed) {
        return;
      }
      if (giveUpAfter != null && System.nanoTime() - lastContact > giveUpAfter.toNanos()) {
        fail(new ShepherdException.NoManagerReachable("no manager member's API answered for " + giveUpAfter.toSeconds() + " s ("
            + String.join(", ", http.bases().stream().map(URI::toString).toList()) + ")"));
        return;
      }
      index++;
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(2000, backoff * 2);
    }
  }

  private void read(InputStream in) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024);
    String id = null;
    String type = "message";
    StringBuilder data = new StringBuilder();
    for (String line = reader.readLine(); line != null && !closed; line = reader.readLine()) {
      if (line.isEmpty()) {
        if (data.length() > 0) {
          if (id != null) {
            lastId = id;
          }
          if (!closed) {
            listener.onEvent(new SseEvent(id, type, data.toString()));
          }
        }
        id = null;
        type = "message";
        data.setLength(0);
      } else if (line.startsWith(":")) {
        continue; // a heartbeat
      } else if (line.startsWith("id:")) {
        id = line.substring(3).strip();
      } else if (line.startsWith("event:")) {
        type = line.substring(6).strip();
      } else if (line.startsWith("data:")) {
        if (data.length() > 0) {
          data.append('\n');
        }
        data.append(line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5));
      }
    }
  }

  /** Ends the stream for good with an error the owner detected (told to {@link Listener#onFailed}). */
  public void fail(ShepherdException error) {
    boolean wasClosed = closed;
    closed = true;
    if (!wasClosed) {
      listener.onFailed(error);
    }
    settled.countDown();
    release();
  }

  /** Ends the stream; no event reaches the handler afterwards (one in progress finishes). */
  @Override
  public void close() {
    closed = true;
    settled.countDown();
    release();
    thread.interrupt();
  }

  /**
   * Drops the connection without waiting: {@code disconnect()} waits for a read in progress (it
   * takes the stream's lock), which returns at the latest with the server's next heartbeat.
   */
  private void release() {
    HttpURLConnection open = connection;
    if (open != null && Thread.currentThread() != thread) {
      Thread closer = new Thread(open::disconnect, "shepherd-sse-close");
      closer.setDaemon(true);
      closer.start();
    }
  }

  /** Waits for the stream's thread to end (after {@link #close()} or a failure). */
  public void join() throws InterruptedException {
    thread.join();
  }
}
