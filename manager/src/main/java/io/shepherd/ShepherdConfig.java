package io.shepherd;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shepherd.protocol.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shepherd's configuration, in layers, each over the next: system properties ({@code -Dkey=value}),
 * the site's file (if any), {@code shepherd-defaults.conf} (the Akka settings Shepherd changes),
 * and every module's {@code reference.conf}.
 */
public final class ShepherdConfig {

  private ShepherdConfig() {}

  /** The configuration without a site file. */
  public static Config load() {
    return load(ConfigFactory.empty());
  }

  /**
   * The configuration with the site's file.
   *
   * @throws IllegalArgumentException if the file does not exist or cannot be read
   * @throws com.typesafe.config.ConfigException with the file and line of a syntax error
   */
  public static Config load(Path siteFile) {
    return withTransport(layered(siteFile));
  }

  /**
   * The layers of {@link #load(Path)} without the transport: what a member checks its options
   * against before it looks for its certificates ({@link #withTransport}).
   *
   * @throws IllegalArgumentException if the file does not exist or cannot be read
   */
  public static Config layered(Path siteFile) {
    if (siteFile == null) {
      return layered(ConfigFactory.empty());
    }
    if (!Files.isRegularFile(siteFile) || !Files.isReadable(siteFile)) {
      throw new IllegalArgumentException("configuration file " + siteFile + " does not exist or cannot be read");
    }
    return layered(ConfigFactory.parseFile(siteFile.toFile()));
  }

  /**
   * The configuration with {@code site} (e.g. a test's overrides) in place of a site file.
   *
   * @throws IllegalArgumentException if TLS is on and this machine's certificates are missing
   */
  public static Config load(Config site) {
    return withTransport(layered(site));
  }

  /**
   * {@code config} with the transport {@code shepherd.tls} asks for.
   *
   * @throws IllegalArgumentException if TLS is on and this machine's certificates are missing
   */
  public static Config withTransport(Config config) {
    return tls(config).withFallback(config);
  }

  /** The layers of {@link #load(Config)} without the transport TLS makes: for reading settings of another machine or user. */
  public static Config layered(Config site) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.systemProperties()
        .withFallback(site)
        .withFallback(ConfigFactory.parseResources(ShepherdConfig.class.getClassLoader(), "shepherd-defaults.conf"))
        .withFallback(ConfigFactory.defaultReference(ShepherdConfig.class.getClassLoader()))
        .resolve();
  }

  /**
   * Artery's transport from {@code shepherd.tls}: TLS 1.3 with mutual authentication, with the key
   * store, trust store and password in {@code shepherd.tls.dir} (as {@code bin/shepherd certs} makes
   * them); or plain TCP if it is off (a trusted loopback demo).
   */
  static Config tls(Config config) {
    if (!config.getBoolean("shepherd.tls.enabled")) {
      return ConfigFactory.parseMap(Map.of("akka.remote.artery.transport", "tcp"));
    }
    String dirSetting = config.getString("shepherd.tls.dir");
    Path dir = dirSetting.isBlank() ? Path.of(System.getProperty("user.home"), ".shepherd", "tls") : Path.of(dirSetting);
    for (String name : List.of(TlsFiles.KEY_STORE, TlsFiles.TRUST_STORE,
        TlsFiles.PASSWORD)) {
      if (!Files.isReadable(dir.resolve(name))) {
        throw new IllegalArgumentException("TLS is on (shepherd.tls.enabled) but " + dir.resolve(name) + " is missing. Make the "
            + "cluster's certificates with: bin/shepherd certs --out DIR --members NAME,... and copy DIR/NAME to " + dir
            + " on the machine of NAME (or set shepherd.tls.dir); for a trusted loopback try-out only, run with "
            + "-Dshepherd.tls.enabled=off (SHEPHERD_JAVA_OPTS)");
      }
    }
    String password;
    try {
      password = Files.readString(dir.resolve(TlsFiles.PASSWORD)).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + dir.resolve(TlsFiles.PASSWORD) + ": " + e);
    }
    String engine = "akka.remote.artery.ssl.config-ssl-engine.";
    Map<String, Object> settings = new HashMap<>();
    settings.put("akka.remote.artery.transport", "tls-tcp");
    settings.put(engine + "key-store", dir.resolve(TlsFiles.KEY_STORE).toAbsolutePath().toString());
    settings.put(engine + "trust-store", dir.resolve(TlsFiles.TRUST_STORE).toAbsolutePath().toString());
    settings.put(engine + "key-store-password", password);
    settings.put(engine + "key-password", password);
    settings.put(engine + "trust-store-password", password);
    settings.put(engine + "protocol", config.getString("shepherd.tls.protocol"));
    settings.put(engine + "enabled-algorithms", config.getStringList("shepherd.tls.enabled-algorithms"));
    settings.put(engine + "require-mutual-authentication", true);
    return ConfigFactory.parseMap(settings);
  }
}
