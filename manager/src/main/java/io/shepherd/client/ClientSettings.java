package io.shepherd.client;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * How a {@link ShepherdClient} connects: the seed nodes of the cluster, timeouts, and the
 * configuration its own cluster member starts from. Immutable; build with the {@code with} methods.
 *
 * @param seeds seed nodes as {@code host:port}
 * @param callTimeout every call fails after this long
 * @param connectTimeout how long {@link ShepherdClient#connect} waits for a Manager
 * @param hostname the address the client's member binds to and is reached at
 * @param config the configuration to start from (reference.conf and the site's file)
 */
public record ClientSettings(List<String> seeds, Duration callTimeout, Duration connectTimeout, String hostname, Config config) {

  public ClientSettings {
    seeds = List.copyOf(seeds);
    for (String seed : seeds) {
      Seeds.parse(seed);
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("call timeout must be positive, got " + callTimeout);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connect timeout must be positive, got " + connectTimeout);
    }
  }

  /** Settings from {@code shepherd.client} in Shepherd's default configuration. */
  public static ClientSettings create() {
    return fromConfig(io.shepherd.ShepherdConfig.load());
  }

  public static ClientSettings fromConfig(Config config) {
    Config c = config.getConfig("shepherd.client");
    return new ClientSettings(c.getStringList("seeds"), c.getDuration("call-timeout"), c.getDuration("connect-timeout"),
        config.getString("akka.remote.artery.canonical.hostname"), config);
  }

  public ClientSettings withSeeds(List<String> newSeeds) {
    return new ClientSettings(newSeeds, callTimeout, connectTimeout, hostname, config);
  }

  public ClientSettings withSeeds(String... newSeeds) {
    return withSeeds(List.of(newSeeds));
  }

  public ClientSettings withCallTimeout(Duration timeout) {
    return new ClientSettings(seeds, timeout, connectTimeout, hostname, config);
  }

  public ClientSettings withConnectTimeout(Duration timeout) {
    return new ClientSettings(seeds, callTimeout, timeout, hostname, config);
  }

  public ClientSettings withHostname(String newHostname) {
    return new ClientSettings(seeds, callTimeout, connectTimeout, newHostname, config);
  }
}
