export { LlamaEmbedder } from './embedder.js';
export { getLlamaEngine } from './engine.js';
export {
  CHAT_ROLES,
  LlamaTextGenerator,
  type ChatMessage,
  type ChatRole,
  type FinishReason,
  type GenerationRequest,
  type GenerationResult,
  type LlamaModelOptions,
} from './generator.js';
export { TextStream, type TextStreamUpdate } from './text-stream.js';

/** File name of the GGUF model inside a version folder. */
export const GGUF_MODEL_FILE = 'model.gguf';
