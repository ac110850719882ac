package io.shepherd.cli;

import io.shepherd.client.ShepherdClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code shepherd restart TARGET...}: down, then up, and wait until they run again. */
@Command(name = "restart", mixinStandardHelpOptions = true,
    description = {"Restarts the targets' nodes, and the running nodes that depend on them: every one down (dependents first), "
        + "then up once all are down (dependencies first); returns once they all run again.",
        "--timeout bounds the wait (default: 15s)."})
final class RestartCommand extends UpDownCommand implements Callable<Integer> {
  @Override
  String send(ShepherdClient client, String[] targets) {
    return client.restart(targets).toCompletableFuture().join();
  }
}
