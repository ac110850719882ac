package io.shepherd.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.member.MemberCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Every malformed command line is refused with exit status 2 and a message naming the problem; nothing starts. */
class CliTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "member --port 70000 | port must be between 0 and 65535",
      "member --port -1 | port must be between 0 and 65535",
      "member --port abc | Invalid value for option '--port'",
      "member --roles client | unknown role 'client'",
      "member --roles , | at least one role",
      "member --host-id any | reserved",
      "member --host-id 'daq 1' | not valid",
      "member --seeds nonsense | is not HOST:PORT",
      "member --seeds 127.0.0.1:0 | ports are 1 to 65535",
      "member --config /nonexistent/site.conf | does not exist",
      "member --unknown | Unknown option",
      "status --api , | --api is empty",
      "status --api ftp://daq1:8551 | is not an API URL",
      "status --api https://daq1:8551/api/v1 | without a path",
      "status --timeout 5x | --timeout must be a positive duration",
      "status --timeout 0s | --timeout must be a positive duration",
      "status --config /nonexistent/site.conf | does not exist",
      "status --token-file /nonexistent/token | cannot read the token file",
      "events --types node,bogus | unknown event type bogus",
      "events --limit 0 | --limit must be between 1 and 10000",
      "events --node 'a b' | node glob 'a b' is not valid",
      "restart | Missing required parameter",
      "kill | Missing required parameter",
      "kill daq1/acq | invalid node path 'daq1/acq'",
      "purge 'daq1/acq/x y' | not valid",
      "input daq1/acq/n | Missing required parameter",
      "mode sideways daq1/acq/n | mode must be auto or managed",
      "mode auto | Missing required parameter",
      "register-type daq1/acq MySine | Missing required parameter",
      "register-type 'daq1 acq' MySine org.lab.MySine | invalid group path 'daq1 acq'",
      "demo --duration 0 | --duration must be at least 1 second",
      "frobnicate | Unmatched argument",
      "member --initial-state sideways | --initial-state must be up or down",
      "member --roles manager --initial-state up | give the member the role host",
      "apply /nonexistent/site.conf | no such file",
      "apply | Missing required parameter",
      "up | Missing required parameter",
      "down '' | a target is empty",
      "logs --level LOUD | unknown log level 'LOUD'",
      "logs --since yesterday | --since must be an ISO instant",
      "logs --limit 0 | --limit must be between 1 and 10000",
      "logs --limit 1000000 | --limit must be between 1 and 10000",
      "logs --node 'daq1 acq' | node glob 'daq1 acq' is not valid",
      "certs --out target/cli-certs --members , | at least one member name",
      "certs --out target/cli-certs --members 'bad name' | member name 'bad name' is not valid",
      "certs --out target/cli-certs --members a --days 0 | --days must be between 1 and 36500",
      "certs --members a | Missing required option: '--out=DIR'",
  })
  void badCommandLinesAreRefused(String args, String expected) {
    String command = args.split(" ")[0];
    // member, demo and certs start Akka: bin/shepherd runs them from the member launcher.
    CommandLine commandLine = Set.of("member", "demo", "certs").contains(command)
        ? MemberCli.commandLine() : Shepherd.commandLine();
    StringWriter err = new StringWriter();
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(new StringWriter()));
    int status = commandLine.execute(split(args));
    assertEquals(2, status, err.toString());
    assertTrue(err.toString().contains(expected), () -> "expected '" + expected + "' in: " + err);
  }

  private static String[] split(String args) {
    List<String> parts = new ArrayList<>();
    Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(args);
    while (m.find()) {
      parts.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return parts.toArray(String[]::new);
  }

  /** bin/shepherd --help lists each command by the first line of its description: a whole sentence, and no line too long. */
  @Test
  void theHelpListsEveryCommandWithAWholeSentence() {
    CommandLine shepherd = Shepherd.commandLine();
    shepherd.getSubcommands().forEach((name, sub) -> {
      String[] description = sub.getCommandSpec().usageMessage().description();
      assertTrue(description.length > 0 && description[0].strip().endsWith("."), name + ": '" + String.join(" ", description) + "'");
    });
    StringWriter out = new StringWriter();
    shepherd.setOut(new PrintWriter(out));
    assertEquals(0, shepherd.execute("--help"));
    String[] lines = out.toString().split("\n");
    for (String line : lines) {
      assertTrue(line.length() <= 80, "too long for a terminal: '" + line + "'");
    }
    // The member commands' list is the footer: a line of it that wrapped starts at the margin.
    int tools = List.of(lines).indexOf("Members and tools (they start Akka; bin/shepherd COMMAND --help):");
    assertTrue(tools > 0, out.toString());
    for (int i = tools + 1; i < lines.length && !lines[i].isBlank(); i++) {
      assertTrue(lines[i].startsWith("  "), "a wrapped line: '" + lines[i] + "'");
    }
  }
}
