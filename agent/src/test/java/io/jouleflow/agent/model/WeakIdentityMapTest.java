package io.jouleflow.agent.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WeakIdentityMapTest {

  /** As a JavaCPP pointer: hash and equality follow an address that becomes 0 on delete. */
  private static final class Handle {
    long address;

    Handle(long address) {
      this.address = address;
    }

    @Override
    public int hashCode() {
      return (int) address;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Handle h && h.address == address;
    }
  }

  @Test
  void findsAKeyWhoseHashChangedAndNeverAnEqualOne() {
    WeakIdentityMap<Object, String> map = new WeakIdentityMap<>();
    Handle session = new Handle(0x7f00L);
    map.put(session, "model");
    session.address = 0; // the application deleted it
    assertThat(map.get(session)).isEqualTo("model");
    assertThat(map.get(new Handle(0))).isNull();
    assertThat(map.remove(session)).isEqualTo("model");
    assertThat(map.containsKey(session)).isFalse();
    assertThat(map.get(null)).isNull();
  }
}
