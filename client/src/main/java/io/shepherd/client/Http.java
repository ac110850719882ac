package io.shepherd.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ApiJson;
import io.shepherd.protocol.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;

/**
 * The client's HTTP: JSON calls to the API of any manager member, tried in turn, with the JDK's
 * {@link HttpURLConnection} (kept-alive connections; each call on a thread of the client's pool).
 * A member that cannot be reached (nothing was sent) makes the call go to the next; an answer "no
 * Manager right now" (503, during a failover) is retried until the call's deadline. A member that
 * does not answer in time makes the next call start with another one; a GET, which may be asked
 * twice, goes on to the next member at once (each gets its share of the call's time). Problems
 * ({@code application/problem+json}) become the matching {@link ShepherdException}.
 *
 * <p>Why not {@code java.net.http.HttpClient}: measured here on JDK 17, creating one takes ~280 ms,
 * and its selector thread, sitting in native code, holds the JVM's exit for 300 ms more; a
 * {@code bin/shepherd status} would spend 0.6 s on that alone. {@code HttpURLConnection} answers
 * the same call in ~45 ms, and leaves nothing behind.
 */
final class Http implements AutoCloseable {

  private static final long RETRY_MILLIS = 250;
  private static final long MIN_SHARE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final AtomicInteger POOLS = new AtomicInteger();

  /**
   * Calls one client makes at once; more wait their turn (within their timeout). A thousand
   * concurrent calls would each open a connection, and a member's API accepts 1,024 in all. This
   * bounds what one client can ask in bulk: measured on a 2-core VM ({@code bench create-1000},
   * 1,000 / 10,000 nodes created and started, medians), 32 calls gave 2.1-3.2 s / 24-32 s, 64 gave
   * 1.7-1.9 s / 22-24 s, 128 gave 1.7-2.0 s / 16 s; but with 128, {@code bench scale} (8 member
   * JVMs on those 2 cores) had desired-state writes miss their majority within 3 s, as it had not
   * with 32 or 64.
   */
  public static final int MAX_CONCURRENT_CALLS = 64;

  static {
    // The JDK keeps 5 idle connections per server by default: the others would be closed after each
    // call and opened again (a TLS handshake each). Only if the application has not chosen.
    if (System.getProperty("http.maxConnections") == null) {
      System.setProperty("http.maxConnections", Integer.toString(MAX_CONCURRENT_CALLS));
    }
  }

  private final List<URI> bases;
  private final SSLSocketFactory ssl;
  private final String authorization;
  private final Duration connectTimeout;
  private final Duration callTimeout;
  private volatile ObjectMapper json;
  private final ExecutorService executor;
  private volatile int preferred;

  /**
   * @param bases the API's base URLs ({@code https://10.0.0.11:8551}), tried in turn
   * @param ssl the TLS context for https URLs, or null
   * @param token a bearer token, or null (a client certificate in {@code ssl}, or an API without TLS)
   */
  public Http(List<URI> bases, SSLContext ssl, String token, Duration connectTimeout, Duration callTimeout) {
    this.bases = List.copyOf(bases);
    this.ssl = ssl == null ? null : ssl.getSocketFactory();
    this.authorization = token == null ? null : "Bearer " + token;
    this.connectTimeout = connectTimeout.compareTo(Duration.ofSeconds(5)) < 0 ? connectTimeout : Duration.ofSeconds(5);
    this.callTimeout = callTimeout;
    int pool = POOLS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor calls = new ThreadPoolExecutor(MAX_CONCURRENT_CALLS, MAX_CONCURRENT_CALLS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread thread = new Thread(r, "shepherd-client-" + pool + "-http-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    calls.allowCoreThreadTimeOut(true);
    this.executor = calls;
  }

  /** The API's JSON mapper for clients ({@link ApiJson#clientMapper}), made on first use (setting Jackson up costs more than a call). */
  public ObjectMapper json() {
    ObjectMapper mapper = json;
    if (mapper == null) {
      synchronized (this) {
        if (json == null) {
          json = ApiJson.clientMapper();
        }
        mapper = json;
      }
    }
    return mapper;
  }

  public List<URI> bases() {
    return bases;
  }

  /** The base URL that answered last: where a stream connects first. */
  public int preferred() {
    return preferred;
  }

  /** An authorized connection to {@code base + path}, not yet connected. */
  public HttpURLConnection open(URI base, String path, String method, Duration readTimeout) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) base.resolve(path).toURL().openConnection();
    if (connection instanceof HttpsURLConnection https && ssl != null) {
      https.setSSLSocketFactory(ssl);
      // Trust is the cluster's CA (see Tls): members' certificates carry names, not addresses.
      https.setHostnameVerifier((host, session) -> true);
    }
    connection.setRequestMethod(method);
    connection.setConnectTimeout((int) Math.max(1, connectTimeout.toMillis()));
    connection.setReadTimeout((int) Math.max(0, Math.min(Integer.MAX_VALUE, readTimeout.toMillis())));
    connection.setUseCaches(false);
    if (authorization != null) {
      connection.setRequestProperty("Authorization", authorization);
    }
    return connection;
  }

  /** A JSON call; {@code body} null sends none; the answer is read as {@code answer} (Void: ignored). */
  public <T> CompletableFuture<T> call(String method, String path, Object body, Class<T> answer) {
    return call(method, path, body, json().constructType(answer));
  }

  public <T> CompletableFuture<T> call(String method, String path, Object body, JavaType answer) {
    byte[] bytes;
    try {
      bytes = body == null ? null : json().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("cannot write the call as JSON: " + e.getMessage()));
    }
    return send(method, path, bytes, "application/json", callTimeout).thenApply(response -> read(response, answer));
  }

  /** Sends a request and answers the body of its 2xx response; anything else fails with the matching {@link ShepherdException}. */
  public CompletableFuture<byte[]> send(String method, String path, byte[] body, String contentType, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    return CompletableFuture.supplyAsync(() -> {
      try {
        return sendNow(method, path, body, contentType, deadline);
      } catch (ShepherdException e) {
        throw new CompletionException(e);
      }
    }, executor);
  }

  /**
   * A JSON call made on the caller's thread, past the calls waiting their turn: for what must not
   * wait behind them (renewing the session's lease).
   */
  public <T> T callNow(String method, String path, Object body, Class<T> answer, Duration timeout) {
    byte[] bytes;
    try {
      bytes = json().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new ShepherdException.InvalidArgument("cannot write the call as JSON: " + e.getMessage());
    }
    return read(sendNow(method, path, bytes, "application/json", System.nanoTime() + timeout.toNanos()), json().constructType(answer));
  }

  /** The blocking call: every member in turn until one answers, retrying a 503 until the deadline. */
  private byte[] sendNow(String method, String path, byte[] body, String contentType, long deadline) {
    int index = preferred;
    int tried = 0;
    Throwable unreachable = null;
    URI unreachableBase = null;
    URI silent = null;
    // A GET may be asked again elsewhere: each member gets its share of the call's time, so that one
    // that accepts connections and never answers (a frozen JVM) does not use all of it.
    boolean safe = method.equals("GET");
    long budget = deadline - System.nanoTime();
    long share = safe && bases.size() > 1 ? Math.max(budget / bases.size(), Math.min(budget, MIN_SHARE_NANOS)) : Long.MAX_VALUE;
    while (true) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        if (silent != null) {
          throw new ShepherdException.Timeout("no API answered " + method + " " + path + " in time (the last tried: " + silent + ")");
        }
        if (unreachable != null) {
          throw new ShepherdException.NoManagerReachable("cannot reach the Shepherd API at " + String.join(", ", bases.stream()
              .map(URI::toString).toList()) + " (last: " + unreachableBase + ": " + describe(unreachable) + "); is a member with "
              + "role manager running there, and is the API port right (shepherd.api.port, default 8551)?");
        }
        throw new ShepherdException.NoManagerReachable("no Manager answered " + method + " " + path + " in time: the API answered "
            + "that none is running right now (a failover, or no member with role manager is up)");
      }
      URI base = bases.get(Math.floorMod(index, bases.size()));
      HttpURLConnection connection = null;
      try {
        connection = open(base, path, method, Duration.ofNanos(Math.min(remaining, share)));
        connection.setRequestProperty("Accept", "application/json");
        if (body != null) {
          connection.setDoOutput(true);
          connection.setRequestProperty("Content-Type", contentType);
          // Streaming mode: without it, HttpURLConnection silently sends a POST again when reading the answer
          // fails (sun.net.http.retryPost), and a call could take effect twice. It costs ~1 ms a POST on loopback
          // (headers and body leave in two segments; measured with a probe, 2.2 ms against 0.95 ms median).
          connection.setFixedLengthStreamingMode(body.length);
          try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
          }
        }
        int status = connection.getResponseCode();
        byte[] answer = readAll(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
        if (status == 503) {
          long wait = retryAfter(connection.getHeaderField("Retry-After"));
          if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait) < deadline) {
            sleep(wait);
            index++;
            continue;
          }
        }
        preferred = Math.floorMod(index, bases.size());
        if (status / 100 != 2) {
          throw problem(status, answer);
        }
        return answer;
      } catch (IOException e) {
        if (connection != null) {
          connection.disconnect();
        }
        if (notSent(e)) {
          unreachable = e;
          unreachableBase = base;
          index++;
          if (++tried >= bases.size()) {
            tried = 0;
            sleep(RETRY_MILLIS);
          }
          continue;
        }
        if (e instanceof SocketTimeoutException) {
          // The next call starts with another member: this one may be frozen.
          preferred = Math.floorMod(index + 1, bases.size());
          if (safe) {
            silent = base;
            index++;
            continue;
          }
          throw new ShepherdException.Timeout("the API at " + base + " did not answer " + method + " " + path + " in time; the call "
              + "may or may not have taken effect");
        }
        throw transportError(base, e, method);
      }
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    if (in == null) {
      return new byte[0];
    }
    try (InputStream stream = in) {
      return stream.readAllBytes();
    }
  }

  private static long retryAfter(String value) {
    if (value == null) {
      return RETRY_MILLIS;
    }
    try {
      return Math.min(1000, Math.max(RETRY_MILLIS, Long.parseLong(value.trim()) * 1000 / 4));
    } catch (NumberFormatException e) {
      return RETRY_MILLIS;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ShepherdException.Timeout("interrupted");
    }
  }

  /** True if the request cannot have reached the server. */
  static boolean notSent(Throwable cause) {
    return cause instanceof ConnectException || cause instanceof NoRouteToHostException || cause instanceof UnknownHostException
        || (cause instanceof SocketTimeoutException && String.valueOf(cause.getMessage()).contains("connect"));
  }

  /** What a transport failure means, for people. */
  static ShepherdException transportError(URI base, Throwable cause, String method) {
    String message = String.valueOf(cause.getMessage());
    if (cause instanceof SSLHandshakeException) {
      return new ShepherdException.NoManagerReachable("the TLS handshake with the API at " + base + " failed: " + message + "; does this "
          + "machine have the cluster's certificates (shepherd.tls.dir, made by bin/shepherd certs)?");
    }
    if (cause instanceof SSLException) {
      return new ShepherdException.NoManagerReachable("the API at " + base + " does not speak TLS (" + message + "); its members run "
          + "with shepherd.tls.enabled=off: use http:// URLs");
    }
    if (message.contains("Unexpected end of file") || message.contains("Connection reset") || message.contains("Invalid Http response")) {
      boolean plain = base.getScheme().equals("http");
      return new ShepherdException.NoManagerReachable("the API at " + base + " closed the connection without an answer"
          + (plain ? "; it probably speaks HTTPS (shepherd.tls.enabled=on): use https:// URLs" : "")
          + (method.equals("GET") ? "" : "; the call may or may not have taken effect"));
    }
    return new ShepherdException.NoManagerReachable("the call to the API at " + base + " failed: " + describe(cause)
        + (method.equals("GET") ? "" : "; it may or may not have taken effect"));
  }

  private static String describe(Throwable cause) {
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  /** The exception for an error answer. */
  public ShepherdException problem(int status, byte[] body) {
    try {
      Api.Problem problem = json().readValue(body, Api.Problem.class);
      ErrorCode code;
      try {
        code = ErrorCode.valueOf(problem.code());
      } catch (IllegalArgumentException | NullPointerException e) {
        code = ErrorCode.INTERNAL;
      }
      return ShepherdException.of(code, problem.detail());
    } catch (IOException e) {
      String text = new String(body, StandardCharsets.UTF_8);
      return ShepherdException.of(status == 401 ? ErrorCode.UNAUTHORIZED : ErrorCode.INTERNAL, "the API answered " + status
          + (text.isBlank() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text)));
    }
  }

  private <T> T read(byte[] body, JavaType type) {
    if (type.getRawClass() == Void.class) {
      return null;
    }
    try {
      return json().readValue(body, type);
    } catch (IOException e) {
      throw new CompletionException(new ShepherdException(ErrorCode.INTERNAL, "cannot read the API's answer as " + type + ": "
          + e.getMessage()));
    }
  }

  /** The cause of a failed stage, unwrapped. */
  public static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** Stops the client's threads; calls in flight finish. */
  @Override
  public void close() {
    executor.shutdown();
  }
}
