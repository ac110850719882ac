package io.shepherd.manager;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.shepherd.manager.internal.DesiredStore;
import io.shepherd.manager.internal.ManagerParts;
import java.time.Duration;

/** The settings of the Manager, read once from {@code shepherd.manager}. Immutable. */
public record ManagerSettings(
    Duration reconcileInterval,
    Duration resendAfter,
    Duration writeTimeout,
    Duration readTimeout,
    int desiredShards,
    int statusPartSize,
    Duration callTimeout,
    Duration createTimeout,
    int eventBuffer,
    Duration leaseGrace,
    Duration specCheckTimeout,
    Duration restartMinBackoff,
    Duration restartMaxBackoff,
    double restartJitter,
    int hostCommandsInFlight) {

  public ManagerSettings {
    if (desiredShards < 1 || desiredShards > 1024) {
      throw new IllegalArgumentException("shepherd.manager.desired-shards must be between 1 and 1024");
    }
    if (eventBuffer < 1) {
      throw new IllegalArgumentException("shepherd.manager.event-buffer must be at least 1");
    }
    if (statusPartSize < 1) {
      throw new IllegalArgumentException("shepherd.manager.status-part-size must be at least 1");
    }
    if (hostCommandsInFlight < 1) {
      throw new IllegalArgumentException("shepherd.manager.host-commands-in-flight must be at least 1");
    }
  }

  /** What the desired-state store needs. */
  public DesiredStore.Settings store() {
    return new DesiredStore.Settings(writeTimeout, readTimeout, desiredShards);
  }

  /** What the Manager's services need. */
  public ManagerParts.Settings parts() {
    return new ManagerParts.Settings(callTimeout, createTimeout, leaseGrace, resendAfter, specCheckTimeout, hostCommandsInFlight);
  }

  public static ManagerSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config());
  }

  public static ManagerSettings fromConfig(Config root) {
    Config c = root.getConfig("shepherd.manager");
    return new ManagerSettings(
        c.getDuration("reconcile-interval"),
        c.getDuration("resend-after"),
        c.getDuration("write-timeout"),
        c.getDuration("read-timeout"),
        c.getInt("desired-shards"),
        c.getInt("status-part-size"),
        c.getDuration("call-timeout"),
        c.getDuration("create-timeout"),
        c.getInt("event-buffer"),
        c.getDuration("lease-grace"),
        c.getDuration("spec-check-timeout"),
        c.getDuration("restart.min-backoff"),
        c.getDuration("restart.max-backoff"),
        c.getDouble("restart.jitter"),
        c.getInt("host-commands-in-flight"));
  }
}
