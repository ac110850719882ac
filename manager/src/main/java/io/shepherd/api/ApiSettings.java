package io.shepherd.api;

import com.typesafe.config.Config;
import io.shepherd.protocol.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of the HTTP API, read once from {@code shepherd.api} and {@code shepherd.tls}.
 * Immutable.
 *
 * @param enabled whether a manager member serves the API at all
 * @param port the port ({@code 0}: any free one, for tests)
 * @param bind the address to bind to
 * @param tls HTTPS with the member's certificate, and every request authenticated
 * @param tlsDir the member's key store, trust store and password
 * @param tokensFile the bearer tokens, when TLS is on
 * @param maxBody the largest request body read
 * @param callTimeout how long a call waits for the Manager
 * @param leaseTtl the lease a client session gets when it asks for none
 * @param leaseTtlMin the shortest lease a client may ask for
 * @param leaseTtlMax the longest lease a client may ask for
 * @param sseBuffer events or records waiting for one slow client at most
 * @param sseHeartbeat how often an idle stream gets a comment line
 * @param eventBuffer events kept for clients that resume
 * @param eventCheckInterval how often the member's event hub looks for the Manager and for gaps
 * @param logServerCheckInterval how often a log stream without a log server tells its client so
 */
public record ApiSettings(boolean enabled, int port, String bind, boolean tls, Path tlsDir, Path tokensFile, long maxBody,
                          Duration callTimeout, Duration leaseTtl, Duration leaseTtlMin, Duration leaseTtlMax, int sseBuffer,
                          Duration sseHeartbeat, int eventBuffer, Duration eventCheckInterval, Duration logServerCheckInterval) {

  /** The dispatcher of the API's slow work. */
  public static final String BLOCKING_DISPATCHER = "shepherd.api.blocking-dispatcher";

  /** True for a loopback address: 127.x.y.z, ::1 or localhost. */
  static boolean loopback(String address) {
    return address.startsWith("127.") || address.equals("::1") || address.equals("[::1]") || address.equals("localhost");
  }

  public static ApiSettings fromConfig(Config root) {
    Config c = root.getConfig("shepherd.api");
    boolean tls = root.getBoolean("shepherd.tls.enabled");
    String dirSetting = root.getString("shepherd.tls.dir");
    Path tlsDir = dirSetting.isBlank() ? Path.of(System.getProperty("user.home"), ".shepherd", "tls") : Path.of(dirSetting);
    String tokens = c.getString("tokens-file");
    String bind = c.getString("bind");
    if (bind.isBlank()) {
      bind = root.getString("akka.remote.artery.canonical.hostname");
    }
    if (!tls && !loopback(bind)) {
      // No TLS, no authentication: never on a network.
      bind = "127.0.0.1";
    }
    int port = root.getInt("shepherd.api.port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("shepherd.api.port must be between 0 and 65535, got " + port);
    }
    return new ApiSettings(c.getBoolean("enabled"), port, bind, tls, tlsDir,
        tokens.isBlank() ? tlsDir.resolve(TlsFiles.API_TOKENS) : Path.of(tokens), c.getBytes("max-body"), c.getDuration("call-timeout"),
        c.getDuration("lease-ttl"), c.getDuration("lease-ttl-min"), c.getDuration("lease-ttl-max"), c.getInt("sse-buffer"),
        c.getDuration("sse-heartbeat"), c.getInt("event-buffer"), c.getDuration("event-check-interval"),
        c.getDuration("log-server-check-interval"));
  }
}
