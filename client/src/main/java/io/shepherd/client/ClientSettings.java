package io.shepherd.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a {@link ShepherdClient} reaches the cluster: the HTTP API of its manager members (tried in
 * turn), timeouts, and its credentials: this machine's certificate (the TLS folder
 * {@code bin/shepherd certs} made) or a bearer token. Immutable; build with the {@code with} methods.
 *
 * @param api the API's base URLs, e.g. {@code https://10.0.0.11:8551}
 * @param callTimeout every call fails after this long
 * @param connectTimeout how long {@link ShepherdClient#connect} waits for a Manager to answer
 * @param tlsDir the TLS folder (trust store, and this machine's key store if any), for https URLs
 * @param token a bearer token, or null
 * @param leaseTtl the lease of the client's session: its groups are removed this long after it
 *     stops renewing (it renews every third of it)
 */
public record ClientSettings(List<URI> api, Duration callTimeout, Duration connectTimeout, Path tlsDir, String token, Duration leaseTtl) {

  public ClientSettings {
    api = List.copyOf(api);
    if (api.isEmpty()) {
      throw new IllegalArgumentException("no API URL: give the URL of a manager member's API, e.g. https://10.0.0.11:8551");
    }
    for (URI uri : api) {
      if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
        throw new IllegalArgumentException("'" + uri + "' is not an API URL; write http(s)://HOST:PORT, e.g. https://10.0.0.11:8551");
      }
    }
    requirePositive("call timeout", callTimeout);
    requirePositive("connect timeout", connectTimeout);
    requirePositive("lease time to live", leaseTtl);
    if (leaseTtl.compareTo(Duration.ofSeconds(2)) < 0) {
      throw new IllegalArgumentException("the lease time to live must be at least 2 s, got " + leaseTtl);
    }
    if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
      throw new IllegalArgumentException("a token is printable ASCII without spaces");
    }
  }

  private static void requirePositive(String what, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + value);
    }
  }

  /** Settings from {@code shepherd.client} of the classpath's configuration (application.conf, reference.conf, -D properties). */
  public static ClientSettings create() {
    ConfigFactory.invalidateCaches();
    return fromConfig(ConfigFactory.load());
  }

  /**
   * Settings from a configuration: {@code shepherd.client.api} if given, else one URL per seed
   * node ({@code akka.cluster.seed-nodes}, else 127.0.0.1) on {@code shepherd.api.port}, https if
   * {@code shepherd.tls.enabled}; the TLS folder {@code shepherd.tls.dir}; the token of
   * {@code shepherd.client.token-file} if set.
   */
  public static ClientSettings fromConfig(Config config) {
    Config c = config.getConfig("shepherd.client");
    boolean tls = config.getBoolean("shepherd.tls.enabled");
    List<URI> api = new ArrayList<>();
    for (String url : c.getStringList("api")) {
      api.add(parseUrl(url));
    }
    if (api.isEmpty()) {
      int port = config.getInt("shepherd.api.port");
      List<String> seeds = config.hasPath("akka.cluster.seed-nodes") ? config.getStringList("akka.cluster.seed-nodes") : List.of();
      for (String seed : seeds) {
        String host = URI.create(seed).getHost();
        if (host != null) {
          URI uri = URI.create((tls ? "https://" : "http://") + host + ":" + port);
          if (!api.contains(uri)) {
            api.add(uri);
          }
        }
      }
      if (api.isEmpty()) {
        api.add(URI.create((tls ? "https://" : "http://") + "127.0.0.1:" + port));
      }
    }
    String dir = config.getString("shepherd.tls.dir");
    Path tlsDir = dir.isBlank() ? Path.of(System.getProperty("user.home"), ".shepherd", "tls") : Path.of(dir);
    String tokenFile = c.getString("token-file");
    return new ClientSettings(api, c.getDuration("call-timeout"), c.getDuration("connect-timeout"), tlsDir,
        tokenFile.isBlank() ? null : readToken(Path.of(tokenFile)), c.getDuration("lease-ttl"));
  }

  /**
   * A token from a file: its first line that is not blank or a comment, either the token alone or
   * {@code ROLE TOKEN} as in the members' api-tokens file.
   */
  public static String readToken(Path file) {
    try {
      for (String line : Files.readAllLines(file)) {
        String text = line.strip();
        if (!text.isEmpty() && !text.startsWith("#")) {
          String[] parts = text.split("\\s+");
          return parts[parts.length - 1];
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the token file " + file + ": " + e.getMessage());
    }
    throw new IllegalArgumentException("the token file " + file + " holds no token");
  }

  /** An API URL as people write it: {@code https://host:port}, or {@code host:port} (then https if {@code tls}). */
  public static URI parseUrl(String url) {
    URI uri;
    try {
      uri = URI.create(url.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + url + "' is not an API URL; write http(s)://HOST:PORT, e.g. https://10.0.0.11:8551");
    }
    if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
      throw new IllegalArgumentException("an API URL is http(s)://HOST:PORT without a path, got '" + url + "'");
    }
    if (uri.getScheme() == null || uri.getRawAuthority() == null) {
      throw new IllegalArgumentException("'" + url + "' is not an API URL; write http(s)://HOST:PORT, e.g. https://10.0.0.11:8551");
    }
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
  }

  public ClientSettings withApi(List<URI> urls) {
    return new ClientSettings(urls, callTimeout, connectTimeout, tlsDir, token, leaseTtl);
  }

  /** The API's base URLs, e.g. {@code "https://10.0.0.11:8551", "https://10.0.0.12:8551"}. */
  public ClientSettings withApi(String... urls) {
    return withApi(Arrays.stream(urls).map(ClientSettings::parseUrl).toList());
  }

  public ClientSettings withCallTimeout(Duration timeout) {
    return new ClientSettings(api, timeout, connectTimeout, tlsDir, token, leaseTtl);
  }

  public ClientSettings withConnectTimeout(Duration timeout) {
    return new ClientSettings(api, callTimeout, timeout, tlsDir, token, leaseTtl);
  }

  public ClientSettings withTlsDir(Path dir) {
    return new ClientSettings(api, callTimeout, connectTimeout, dir, token, leaseTtl);
  }

  public ClientSettings withToken(String newToken) {
    return new ClientSettings(api, callTimeout, connectTimeout, tlsDir, newToken, leaseTtl);
  }

  public ClientSettings withLeaseTtl(Duration ttl) {
    return new ClientSettings(api, callTimeout, connectTimeout, tlsDir, token, ttl);
  }

  /** True if any URL is https. */
  public boolean usesTls() {
    return api.stream().anyMatch(u -> u.getScheme().equals("https"));
  }
}
