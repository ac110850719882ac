package io.shepherd.member;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shepherd certs}: a cluster CA and a key store per member, for mutual TLS. */
@Command(name = "certs", mixinStandardHelpOptions = true,
    description = {"Makes the cluster's TLS certificates with the JDK's keytool: a CA in OUT/ca (reused if it is there),",
        "and for each member OUT/NAME/{keystore.p12,truststore.p12,password}. Copy OUT/NAME to ~/.shepherd/tls on the",
        "machine of NAME; CLI and application machines need a folder too. Keep OUT/ca safe: it signs new members."})
final class CertsCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the CA and the members' folders.")
  Path out;

  @Option(names = "--members", required = true, paramLabel = "NAME,...", description = "The members (and client machines) to make certificates for.")
  String members;

  @Option(names = "--days", defaultValue = "825", paramLabel = "N", description = "How long the certificates are valid (default: 825 days).")
  int days;

  @Override
  public Integer call() throws Exception {
    List<String> names = Arrays.stream(members.split(",")).map(String::trim).filter(n -> !n.isEmpty()).distinct().toList();
    try {
      Certificates.create(out, names, days);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    System.out.println("made a key store for " + String.join(", ", names) + " in " + out.toAbsolutePath()
        + "; copy " + out.resolve("NAME") + " to ~/.shepherd/tls on the machine of NAME");
    return 0;
  }
}
