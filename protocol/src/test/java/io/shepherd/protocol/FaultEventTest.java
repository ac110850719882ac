package io.shepherd.protocol;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultEventTest {

  static final NodePath PATH = NodePath.parse("daq1/acq/sine");
  static final Instant AT = Instant.parse("2026-12-02T01:00:00Z");

  @Test
  void everyKindOfFaultReadsBackFromItsEventForItsManager() {
    List<Fault> faults = List.of(new Fault.NodeError(PATH, "start() threw", AT), new Fault.ConnectionLost(PATH, "daq1", "DOWN", AT),
        new Fault.Notification(PATH, "laser unlocked", AT), new Fault.ModeChanged(PATH, Mode.MANAGED, "session-2", AT),
        new Fault.RequestChanged(PATH, NodeState.STOPPED, "site file site.conf", AT));
    for (Fault fault : faults) {
      Event event = Event.ofFault(1, 2, fault, "session-1");
      assertEquals(Event.FAULT, event.type());
      assertEquals("session-1", event.manager());
      assertEquals(fault, event.fault(), event.toString());
    }
    assertEquals(Event.REQUEST_CHANGED, Event.ofFault(1, 2, faults.get(4), "m").status());
  }
}
