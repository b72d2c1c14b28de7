package io.jouleflow.agent.model;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;

/**
 * A map with weakly held keys compared by identity, thread-safe. Sessions and graphs of the C
 * API are JavaCPP pointers, whose {@code hashCode} and {@code equals} follow their native
 * address: it becomes 0 when the application deletes one, so a {@link java.util.WeakHashMap}
 * would lose the entry while the worker still looks for it.
 */
final class WeakIdentityMap<K, V> {

  private final Map<Ref, V> map = new HashMap<>();
  private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

  synchronized V get(K key) {
    purge();
    return key == null ? null : map.get(new Ref(key, null));
  }

  synchronized void put(K key, V value) {
    purge();
    map.put(new Ref(key, collected), value);
  }

  synchronized V putIfAbsent(K key, V value) {
    purge();
    return map.putIfAbsent(new Ref(key, collected), value);
  }

  synchronized V remove(K key) {
    purge();
    return key == null ? null : map.remove(new Ref(key, null));
  }

  synchronized boolean containsKey(K key) {
    return get(key) != null;
  }

  private void purge() {
    for (Object r; (r = collected.poll()) != null; ) {
      map.remove(r);
    }
  }

  private static final class Ref extends WeakReference<Object> {
    private final int hash;

    Ref(Object key, ReferenceQueue<Object> queue) {
      super(key, queue);
      hash = System.identityHashCode(key);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (o == this) {
        return true;
      }
      Object k = get();
      return o instanceof Ref r && k != null && k == r.get();
    }
  }
}
