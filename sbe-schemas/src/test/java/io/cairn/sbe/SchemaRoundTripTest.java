package io.cairn.sbe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.xml.sax.InputSource;
import uk.co.real_logic.sbe.ir.GenerationUtil;
import uk.co.real_logic.sbe.ir.Ir;
import uk.co.real_logic.sbe.ir.Signal;
import uk.co.real_logic.sbe.ir.Token;
import uk.co.real_logic.sbe.xml.IrGenerator;
import uk.co.real_logic.sbe.xml.ParserOptions;
import uk.co.real_logic.sbe.xml.XmlSchemaParser;

/**
 * Round-trips every message of every schema through the generated codecs with random field values
 * and variable-length data. The test walks the schema's IR rather than naming messages, so a
 * message or field added later is covered without touching this file.
 *
 * <p>Replay a failure with {@code -Dcairn.sbe.seed=<seed printed in the failure>}.
 */
class SchemaRoundTripTest {
    private static final int ITERATIONS_PER_MESSAGE = 200;
    private static final int GROUP_COUNT_MAX = 4;
    private static final int VAR_DATA_BYTES_MAX = 2048;
    private static final int LARGE_VAR_DATA_BYTES = 256 * 1024;
    private static final int EXTRA_BLOCK_BYTES = 8;
    private static final Path SCHEMA_DIR = Path.of("src/main/resources/sbe");
    private static final List<String> SCHEMA_FILES = List.of("raft-messages.xml", "log-commands.xml", "storage-records.xml");

    @TestFactory
    Stream<DynamicTest> everyMessageRoundTrips() throws Exception {
        final long baseSeed = Long.getLong("cairn.sbe.seed", System.nanoTime());
        final List<DynamicTest> tests = new ArrayList<>();
        for (final String file : SCHEMA_FILES) {
            final Ir ir = parse(SCHEMA_DIR.resolve(file));
            for (final List<Token> message : ir.messages()) {
                final String name = message.get(0).name();
                tests.add(DynamicTest.dynamicTest(file + " " + name, () -> {
                    for (int i = 0; i < ITERATIONS_PER_MESSAGE; i++) {
                        final long seed = baseSeed + i;
                        try {
                            roundTrip(ir, message, new Random(seed), i == 0);
                        } catch (final AssertionError | Exception e) {
                            throw new AssertionError(name + " failed with -Dcairn.sbe.seed=" + seed, e);
                        }
                    }
                }));
            }
        }
        assertFalse(tests.isEmpty(), "no messages found in " + SCHEMA_FILES);
        return tests.stream();
    }

    /** Both schemas must carry the message types the Raft core and the apply loop depend on. */
    @TestFactory
    Stream<DynamicTest> schemasDeclareRequiredMessages() throws Exception {
        final List<String> raft = messageNames(parse(SCHEMA_DIR.resolve("raft-messages.xml")));
        final List<String> commands = messageNames(parse(SCHEMA_DIR.resolve("log-commands.xml")));
        return Stream.concat(
            Stream.of("AppendEntries", "AppendEntriesResponse", "VoteRequest", "VoteResponse", "PreVoteRequest",
                    "PreVoteResponse", "Heartbeat", "HeartbeatResponse", "SnapshotChunk", "TimeoutNow",
                    "ReadIndexRequest", "ReadIndexResponse")
                .map(n -> DynamicTest.dynamicTest("raft " + n, () -> assertTrue(raft.contains(n), n))),
            Stream.of("Put", "DeleteRange", "Txn", "Compact", "LeaseGrant", "LeaseRevoke", "LeaseCheckpoint",
                    "MembershipChange", "AuthEnable", "AuthDisable", "UserAdd", "UserDelete", "UserChangePassword",
                    "UserGrantRole", "UserRevokeRole", "RoleAdd", "RoleDelete", "RoleGrantPermission",
                    "RoleRevokePermission")
                .map(n -> DynamicTest.dynamicTest("command " + n, () -> assertTrue(commands.contains(n), n))));
    }

    private static List<String> messageNames(final Ir ir) {
        return ir.messages().stream().map(m -> m.get(0).name()).toList();
    }

    private static Ir parse(final Path schema) throws Exception {
        final ParserOptions options = ParserOptions.builder()
            .stopOnError(true).warningsFatal(true).xIncludeAware(true).suppressOutput(true).build();
        try (InputStream in = Files.newInputStream(schema)) {
            final InputSource source = new InputSource(in);
            source.setSystemId(schema.toUri().toString()); // lets xi:include resolve beside the schema
            return new IrGenerator().generate(XmlSchemaParser.parse(source, options));
        }
    }

    private static void roundTrip(final Ir ir, final List<Token> message, final Random random, final boolean large)
        throws Exception {
        final String pkg = ir.applicableNamespace();
        final Token begin = message.get(0);
        final Object encoder = newInstance(pkg + "." + begin.name() + "Encoder");
        final Object decoder = newInstance(pkg + "." + begin.name() + "Decoder");
        final Object headerEncoder = newInstance(pkg + ".MessageHeaderEncoder");
        final Object headerDecoder = newInstance(pkg + ".MessageHeaderDecoder");

        final MutableDirectBuffer buffer = new ExpandableArrayBuffer(256);
        invoke(encoder, "wrapAndApplyHeader", buffer, 0, headerEncoder);
        final List<Object> expected = encodeLevel(encoder, GenerationUtil.getMessageBody(message), random, large);
        final int encodedLimit = (int)invoke(encoder, "limit");

        invoke(decoder, "wrapAndApplyHeader", buffer, 0, headerDecoder);
        assertEquals(begin.id(), ((Number)invoke(headerDecoder, "templateId")).intValue(), "template id");
        assertEquals(ir.id(), ((Number)invoke(headerDecoder, "schemaId")).intValue(), "schema id");
        assertEquals(ir.version(), ((Number)invoke(headerDecoder, "version")).intValue(), "schema version");
        assertEquals(expected, decodeLevel(decoder, GenerationUtil.getMessageBody(message)), "decoded values");
        assertEquals(encodedLimit, (int)invoke(decoder, "limit"), "decoder consumed exactly what was encoded");

        decodesAsIfFromNewerVersion(ir, begin, buffer, encodedLimit, expected, message);
    }

    /**
     * A newer writer may append fields to a block (schema evolution). An older reader must skip them
     * by honouring the header's block length: rebuild the frame with extra block bytes and a higher
     * version, and decode it with today's decoder.
     */
    private static void decodesAsIfFromNewerVersion(
        final Ir ir, final Token begin, final MutableDirectBuffer frame, final int frameLength,
        final List<Object> expected, final List<Token> message) throws Exception {
        final String pkg = ir.applicableNamespace();
        final int headerLength = ir.headerStructure().tokens().get(0).encodedLength();
        final int blockLength = begin.encodedLength();
        final MutableDirectBuffer newer = new ExpandableArrayBuffer(frameLength + EXTRA_BLOCK_BYTES);
        final Object headerEncoder = newInstance(pkg + ".MessageHeaderEncoder");
        invoke(headerEncoder, "wrap", newer, 0);
        invoke(headerEncoder, "blockLength", blockLength + EXTRA_BLOCK_BYTES);
        invoke(headerEncoder, "templateId", begin.id());
        invoke(headerEncoder, "schemaId", ir.id());
        invoke(headerEncoder, "version", ir.version() + 1);
        newer.putBytes(headerLength, frame, headerLength, blockLength);
        newer.setMemory(headerLength + blockLength, EXTRA_BLOCK_BYTES, (byte)0x5A);
        newer.putBytes(headerLength + blockLength + EXTRA_BLOCK_BYTES, frame, headerLength + blockLength,
            frameLength - headerLength - blockLength);

        final Object decoder = newInstance(pkg + "." + begin.name() + "Decoder");
        invoke(decoder, "wrap", newer, headerLength, blockLength + EXTRA_BLOCK_BYTES, ir.version() + 1);
        assertEquals(expected, decodeLevel(decoder, GenerationUtil.getMessageBody(message)), "decoded as newer version");
    }

    /** Encodes fields, then groups, then var data (SBE's wire order) with random values; returns them. */
    private static List<Object> encodeLevel(final Object encoder, final List<Token> tokens, final Random random,
        final boolean large) throws Exception {
        final List<Object> values = new ArrayList<>();
        final Level level = Level.of(tokens);
        for (int i = 0; i < level.fields.size(); i += level.fields.get(i).componentTokenCount()) {
            final Token field = level.fields.get(i);
            final Token type = level.fields.get(i + 1);
            final Object value = switch (type.signal()) {
                case ENCODING -> randomPrimitive(type, random);
                case BEGIN_ENUM -> randomEnum(parameterType(encoder, field.name()), random);
                default -> throw new AssertionError("no random value for " + type.signal() + " field " + field.name());
            };
            invokeWith(encoder, field.name(), value);
            values.add(normalise(value));
        }
        for (int i = 0; i < level.groups.size(); i += level.groups.get(i).componentTokenCount()) {
            final Token group = level.groups.get(i);
            final int count = random.nextInt(GROUP_COUNT_MAX + 1);
            final Object groupEncoder = invoke(encoder, group.name() + "Count", count);
            final List<Object> elements = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                invoke(groupEncoder, "next");
                elements.add(encodeLevel(groupEncoder, groupBody(level.groups, i), random, false));
            }
            values.add(elements);
        }
        for (int i = 0; i < level.varData.size(); i += level.varData.get(i).componentTokenCount()) {
            final Token data = level.varData.get(i);
            final int length = large ? LARGE_VAR_DATA_BYTES : random.nextInt(VAR_DATA_BYTES_MAX + 1);
            if (isText(level.varData, i)) {
                final String text = randomText(random, length);
                invoke(encoder, data.name(), text);
                values.add(text);
            } else {
                final byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                invoke(encoder, "put" + upperFirst(data.name()), bytes, 0, bytes.length);
                values.add(ByteBuffer.wrap(bytes));
            }
        }
        return values;
    }

    private static List<Object> decodeLevel(final Object decoder, final List<Token> tokens) throws Exception {
        final List<Object> values = new ArrayList<>();
        final Level level = Level.of(tokens);
        for (int i = 0; i < level.fields.size(); i += level.fields.get(i).componentTokenCount()) {
            values.add(normalise(invoke(decoder, level.fields.get(i).name())));
        }
        for (int i = 0; i < level.groups.size(); i += level.groups.get(i).componentTokenCount()) {
            final Object groupDecoder = invoke(decoder, level.groups.get(i).name());
            final int count = (int)invoke(groupDecoder, "count");
            final List<Object> elements = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                invoke(groupDecoder, "next");
                elements.add(decodeLevel(groupDecoder, groupBody(level.groups, i)));
            }
            values.add(elements);
        }
        for (int i = 0; i < level.varData.size(); i += level.varData.get(i).componentTokenCount()) {
            final Token data = level.varData.get(i);
            if (isText(level.varData, i)) {
                values.add(invoke(decoder, data.name()));
            } else {
                final int length = (int)invoke(decoder, data.name() + "Length");
                final byte[] bytes = new byte[length];
                invoke(decoder, "get" + upperFirst(data.name()), bytes, 0, length);
                values.add(ByteBuffer.wrap(bytes));
            }
        }
        return values;
    }

    /** The tokens of one message body or group body, split the way SBE lays them out. */
    private record Level(List<Token> fields, List<Token> groups, List<Token> varData) {
        static Level of(final List<Token> tokens) {
            final List<Token> fields = new ArrayList<>();
            final List<Token> groups = new ArrayList<>();
            final List<Token> varData = new ArrayList<>();
            int i = GenerationUtil.collectFields(tokens, 0, fields);
            i = GenerationUtil.collectGroups(tokens, i, groups);
            GenerationUtil.collectVarData(tokens, i, varData);
            return new Level(fields, groups, varData);
        }
    }

    /** Tokens between a group's dimension composite and its END_GROUP. */
    private static List<Token> groupBody(final List<Token> groups, final int beginIndex) {
        final Token begin = groups.get(beginIndex);
        final Token dimension = groups.get(beginIndex + 1);
        assertEquals(Signal.BEGIN_COMPOSITE, dimension.signal());
        final int endIndex = beginIndex + begin.componentTokenCount() - 1;
        assertEquals(Signal.END_GROUP, groups.get(endIndex).signal());
        return groups.subList(beginIndex + 1 + dimension.componentTokenCount(), endIndex);
    }

    private static boolean isText(final List<Token> varData, final int beginIndex) {
        final int end = beginIndex + varData.get(beginIndex).componentTokenCount();
        for (int i = beginIndex; i < end; i++) {
            final Token token = varData.get(i);
            if (token.name().equals("varData")) {
                return token.encoding().characterEncoding() != null;
            }
        }
        throw new AssertionError("var data without a varData element: " + varData.get(beginIndex).name());
    }

    private static Object randomPrimitive(final Token type, final Random random) {
        final boolean edge = random.nextInt(8) == 0;
        return switch (type.encoding().primitiveType()) {
            case UINT64, INT64 -> edge ? (random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE + 1) : random.nextLong();
            case UINT32 -> edge ? 0xFFFF_FFFEL : random.nextLong(0, 0xFFFF_FFFFL);
            case INT32 -> edge ? Integer.MIN_VALUE + 1 : random.nextInt();
            case UINT16 -> edge ? 0xFFFE : random.nextInt(0, 0xFFFF);
            case INT16 -> (short)(edge ? Short.MIN_VALUE + 1 : random.nextInt(Short.MIN_VALUE + 1, Short.MAX_VALUE + 1));
            case UINT8 -> (short)(edge ? 0xFE : random.nextInt(0, 0xFF));
            case INT8 -> (byte)(edge ? Byte.MIN_VALUE + 1 : random.nextInt(Byte.MIN_VALUE + 1, Byte.MAX_VALUE + 1));
            default -> throw new AssertionError("no random value for " + type.encoding().primitiveType());
        };
    }

    private static Object randomEnum(final Class<?> enumType, final Random random) {
        final Object[] valid = Arrays.stream(enumType.getEnumConstants())
            .filter(c -> !((Enum<?>)c).name().equals("NULL_VAL")).toArray();
        return valid[random.nextInt(valid.length)];
    }

    /** Text with one-, two-, three- and four-byte UTF-8 characters, about {@code bytesMax} bytes long. */
    private static String randomText(final Random random, final int bytesMax) {
        final int[] alphabet = {'a', 'Z', '0', '/', 0xE9, 0x416, 0x4E2D, 0x1F600};
        final StringBuilder text = new StringBuilder();
        for (int bytes = 0; bytes < bytesMax; ) {
            final int codePoint = alphabet[random.nextInt(alphabet.length)];
            text.appendCodePoint(codePoint);
            bytes += Character.toString(codePoint).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return text.toString();
    }

    private static Object normalise(final Object value) {
        return value instanceof Number n ? Long.valueOf(n.longValue()) : value;
    }

    private static String upperFirst(final String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static Object newInstance(final String className) throws Exception {
        return Class.forName(className).getDeclaredConstructor().newInstance();
    }

    private static Class<?> parameterType(final Object target, final String name) {
        return Arrays.stream(target.getClass().getMethods())
            .filter(m -> m.getName().equals(name) && m.getParameterCount() == 1)
            .findFirst().orElseThrow(() -> new AssertionError("no setter " + name + " on " + target.getClass()))
            .getParameterTypes()[0];
    }

    private static void invokeWith(final Object target, final String name, final Object value) throws Exception {
        final Class<?> type = parameterType(target, name);
        target.getClass().getMethod(name, type).invoke(target, value);
    }

    /** Calls the public method with this name and arity whose parameters accept the arguments. */
    private static Object invoke(final Object target, final String name, final Object... args) throws Exception {
        for (final Method method : target.getClass().getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == args.length && accepts(method, args)) {
                return method.invoke(target, args);
            }
        }
        throw new AssertionError("no method " + name + "/" + args.length + " on " + target.getClass().getName());
    }

    private static boolean accepts(final Method method, final Object[] args) {
        final Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            final Class<?> type = types[i].isPrimitive() ? boxed(types[i]) : types[i];
            if (!type.isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> boxed(final Class<?> primitive) {
        return switch (primitive.getName()) {
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "short" -> Short.class;
            case "byte" -> Byte.class;
            case "boolean" -> Boolean.class;
            case "char" -> Character.class;
            case "double" -> Double.class;
            case "float" -> Float.class;
            default -> throw new AssertionError(primitive);
        };
    }
}
