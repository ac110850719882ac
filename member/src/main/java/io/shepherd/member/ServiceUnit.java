package io.shepherd.member;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The systemd unit that runs a member of this Shepherd installation as a service: {@code
 * Type=notify} (the member says READY=1 once Up and registered, and keeps a watchdog), restarted
 * always, stopped with SIGTERM to the member alone first ({@code KillMode=mixed}: it stops its nodes)
 * and what is left of its control group killed after {@code TimeoutStopSec}.
 *
 * @param home the Shepherd installation (its {@code bin/shepherd} is run)
 * @param memberArgs the options of {@code bin/shepherd member}
 * @param user the user the member runs as
 * @param userHome that user's home: its {@code .shepherd} holds the TLS folder and the work root
 * @param stopGrace how long the member may take to stop its nodes (its before-service-unbind phase)
 */
public record ServiceUnit(Path home, List<String> memberArgs, String user, Path userHome, Duration stopGrace) {

  /** Where the unit is installed. */
  public static final String NAME = "shepherd-member.service";

  /** How long systemd waits for WATCHDOG=1 before it restarts a wedged member. */
  static final Duration WATCHDOG = Duration.ofSeconds(60);

  public ServiceUnit {
    memberArgs = List.copyOf(memberArgs);
    for (String arg : memberArgs) {
      if (arg.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\\' || c == '%' || c == '$')) {
        throw new IllegalArgumentException("'" + arg + "' cannot go into a unit's command line: no spaces, quotes, %, $ or \\");
      }
    }
  }

  /** The unit file's text. */
  public String render() {
    Path shepherd = home.resolve("bin").resolve("shepherd");
    Path dotShepherd = userHome.resolve(".shepherd");
    List<String> lines = new ArrayList<>(List.of(
        "# Written by bin/shepherd install-service; bin/shepherd uninstall-service removes it.",
        "[Unit]",
        "Description=Shepherd member (" + String.join(" ", memberArgs) + ")",
        "Documentation=file://" + home.resolve("README.md"),
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        // The member tells systemd when it is Up and registered, and keeps the watchdog while healthy.
        "Type=notify",
        "NotifyAccess=main",
        "WatchdogSec=" + WATCHDOG.toSeconds(),
        "ExecStart=" + shepherd + " member " + String.join(" ", memberArgs),
        "User=" + user,
        "WorkingDirectory=" + userHome,
        // Built already (install-service checks): a service never builds at start.
        "Environment=SHEPHERD_NO_BUILD=1",
        "Environment=\"SHEPHERD_JAVA_OPTS=-Dshepherd.tls.dir=" + dotShepherd.resolve("tls") + " -Dshepherd.host.work-root=" + dotShepherd
            + "\"",
        // A downed member exits 1 and comes back as a new incarnation; so does a crashed one.
        "Restart=always",
        // A JVM stopped by SIGTERM exits 143 once its shutdown has run: a clean stop.
        "SuccessExitStatus=143",
        "RestartSec=2",
        "TimeoutStartSec=180",
        // SIGTERM to the member only: it stops its nodes (each within its stop grace), then exits;
        // whatever of its control group is left after TimeoutStopSec is killed.
        "KillMode=mixed",
        "TimeoutStopSec=" + (stopGrace.toSeconds() + 30),
        "LimitNOFILE=65536",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        ""));
    return String.join("\n", lines);
  }
}
