import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Opset of the default ONNX domain the exporter writes; ONNX Runtime 1.14 and later run it. */
export const ONNX_OPSET = 17;
/** IR version that goes with {@link ONNX_OPSET}. */
export const ONNX_IR_VERSION = 8;

const { DataType } = onnx.TensorProto;
const { AttributeType } = onnx.AttributeProto;

/** A dimension of a graph input or output: a size, or a name for a dynamic axis. */
export type Dimension = number | string;

export type AttributeValue = number | string | number[] | string[] | { floats: number[] };

/**
 * Collects the nodes, initializers, inputs and outputs of one ONNX graph and encodes the model.
 * Names of intermediate values come from {@link GraphBuilder.name}, so they never collide.
 */
export class GraphBuilder {
  readonly #nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly #initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  readonly #inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  readonly #outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  #counter = 0;

  /** Returns a new value name that starts with `prefix`. */
  name(prefix: string): string {
    this.#counter += 1;
    return `${prefix}_${this.#counter}`;
  }

  input(name: string, type: 'int64' | 'float32', shape: readonly Dimension[]): string {
    this.#inputs.push(valueInfo(name, type, shape));
    return name;
  }

  output(name: string, type: 'int64' | 'float32', shape: readonly Dimension[]): void {
    this.#outputs.push(valueInfo(name, type, shape));
  }

  /** Adds a float32 weight and returns its name. */
  floats(name: string, values: Float32Array, dims: readonly number[]): string {
    this.#initializers.push(
      onnx.TensorProto.create({
        name,
        dataType: DataType.FLOAT,
        dims: [...dims],
        rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      }),
    );
    return name;
  }

  /** Adds a float16 weight from its bit patterns and returns its name. */
  halfs(name: string, bits: Uint16Array, dims: readonly number[]): string {
    this.#initializers.push(
      onnx.TensorProto.create({
        name,
        dataType: DataType.FLOAT16,
        dims: [...dims],
        rawData: new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength),
      }),
    );
    return name;
  }

  /** Adds an int64 constant and returns its name. */
  int64s(
    name: string,
    values: readonly number[],
    dims: readonly number[] = [values.length],
  ): string {
    const data = new BigInt64Array(values.map((value) => BigInt(value)));
    this.#initializers.push(
      onnx.TensorProto.create({
        name,
        dataType: DataType.INT64,
        dims: [...dims],
        rawData: new Uint8Array(data.buffer),
      }),
    );
    return name;
  }

  /** Adds a node; its single output gets a fresh name unless `outputs` names them. */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    outputs: readonly string[] = [this.name(opType.toLowerCase())],
  ): string[] {
    this.#nodes.push(
      onnx.NodeProto.create({
        opType,
        name: this.name(`${opType}_node`),
        input: [...inputs],
        output: [...outputs],
        attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
      }),
    );
    return [...outputs];
  }

  /** Adds a node with one output and returns that output's name. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
  ): string {
    return this.node(opType, inputs, attributes)[0] as string;
  }

  /** Encodes the model as the bytes of a `.onnx` file. */
  encode(graphName: string, metadata: Record<string, string> = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      producerName: 'nlp-maas',
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: onnx.GraphProto.create({
        name: graphName,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(
  name: string,
  type: 'int64' | 'float32',
  shape: readonly Dimension[],
): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: type === 'int64' ? DataType.INT64 : DataType.FLOAT,
        shape: {
          dim: shape.map((dim) =>
            typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim },
          ),
        },
      },
    },
  });
}

function attribute(name: string, value: AttributeValue): InstanceType<typeof onnx.AttributeProto> {
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value })
      : onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value });
  }
  if (typeof value === 'string') {
    return onnx.AttributeProto.create({
      name,
      type: AttributeType.STRING,
      s: new TextEncoder().encode(value),
    });
  }
  if (!Array.isArray(value)) {
    return onnx.AttributeProto.create({ name, type: AttributeType.FLOATS, floats: value.floats });
  }
  if (value.every((item) => typeof item === 'string')) {
    return onnx.AttributeProto.create({
      name,
      type: AttributeType.STRINGS,
      strings: value.map((item) => new TextEncoder().encode(item)),
    });
  }
  return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: value as number[] });
}
