package io.cairn.engine.cluster;

import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.BackendReader;
import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.Bucket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The alarms bucket: key bigendian(member id) + alarm code (one byte), value one marker byte. */
public final class AlarmTable {
    private static final byte[] RAISED = {1};

    private AlarmTable() {
    }

    public static void put(final BackendWriter backend, final Alarm alarm) {
        backend.put(Bucket.ALARMS, key(alarm), RAISED);
    }

    /** Disarms {@code alarm}; whether it was raised. */
    public static boolean remove(final BackendWriter backend, final Alarm alarm) {
        if (backend.get(Bucket.ALARMS, key(alarm)) == null) {
            return false;
        }
        backend.delete(Bucket.ALARMS, key(alarm));
        return true;
    }

    /** Every raised alarm, by member id then code. */
    public static List<Alarm> all(final BackendReader backend) {
        final List<Alarm> alarms = new ArrayList<>();
        final BackendCursor cursor = backend.cursor(Bucket.ALARMS);
        for (boolean ok = cursor.seek(new byte[0]); ok; ok = cursor.next()) {
            final ByteBuffer key = ByteBuffer.wrap(cursor.key());
            alarms.add(new Alarm(key.getLong(), Alarm.Kind.ofCode(key.get())));
        }
        return alarms;
    }

    private static byte[] key(final Alarm alarm) {
        return ByteBuffer.allocate(Long.BYTES + 1).putLong(alarm.memberId()).put((byte)alarm.kind().code()).array();
    }
}
