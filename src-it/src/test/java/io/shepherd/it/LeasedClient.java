package io.shepherd.it;

import io.shepherd.client.ClientSettings;
import io.shepherd.client.ShepherdClient;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.ProcessSpec;

/**
 * An application for {@link FrontDoorIT} to kill: it connects with the settings of its system
 * properties, creates a group {@code ARG0} with a process node and a persistent group {@code ARG1},
 * says {@code ready} and waits to be killed.
 */
public final class LeasedClient {

  private LeasedClient() {}

  public static void main(String[] args) throws Exception {
    ShepherdClient client = ShepherdClient.connect(ClientSettings.create());
    client.createGroup(args[0]).toCompletableFuture().join();
    client.createProcess(args[0] + "/sleeper", ProcessSpec.of("/bin/sleep", "600"), NodeState.RUNNING).toCompletableFuture().join();
    client.createGroup(args[1], true).toCompletableFuture().join();
    System.out.println("ready");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
