import {
  resolveFieldIndex,
  resolveJsonKey,
  type ColumnRole,
  type ColumnSelector,
} from '../datasets/index.js';
import type { DatasetFormat, DatasetReadOptions, ParsedDataset } from './formats.js';

/** Facts of a parsed file that decide what each omitted read option means for it. */
export type DatasetLayout =
  | { kind: 'text-classification'; columns: string[] }
  | { kind: 'token-classification'; columnCount: number }
  | { kind: 'semantic-role-labeling'; detectedSenseColumn: number }
  | { kind: 'language-modelling' };

/** Returns the layout of a parsed dataset, which {@link effectiveReadOptions} reads. */
export function layoutOf(parsed: ParsedDataset): DatasetLayout {
  switch (parsed.kind) {
    case 'text-classification':
      return { kind: parsed.kind, columns: parsed.dataset.columns };
    case 'token-classification':
      return { kind: parsed.kind, columnCount: parsed.dataset.columnCount };
    case 'semantic-role-labeling':
      return { kind: parsed.kind, detectedSenseColumn: parsed.dataset.detectedSenseColumn };
    case 'language-modelling':
      return { kind: parsed.kind };
  }
}

/**
 * Returns the read options that the parser applies to a file of `layout` in `format`: every
 * option of the format, with each default filled in and each column written one way. Two sets
 * of options that read a file alike thus give equal results, so a dataset can be compared and
 * stored by them, and re-reading the file with them does not depend on the default rules.
 *
 * A CSV or TSV column becomes its header name when that name selects it, else its 0-based
 * index. A JSONL column becomes its key as spelled in the file.
 *
 * @throws MaasError MAAS_ERR_DATASET_COLUMN_NOT_FOUND for a column that the file lacks.
 */
export function effectiveReadOptions(
  format: DatasetFormat,
  options: DatasetReadOptions,
  layout: DatasetLayout,
): DatasetReadOptions {
  switch (layout.kind) {
    case 'text-classification':
      return classificationOptions(format, options, layout.columns);
    case 'token-classification':
      return {
        tokenColumn: options.tokenColumn ?? 0,
        tagColumn: options.tagColumn ?? layout.columnCount - 1,
        repairTags: options.repairTags ?? false,
      };
    case 'semantic-role-labeling':
      return { senseColumn: options.senseColumn ?? layout.detectedSenseColumn };
    case 'language-modelling':
      return {};
  }
}

function classificationOptions(
  format: DatasetFormat,
  options: DatasetReadOptions,
  columns: string[],
): DatasetReadOptions {
  if (format === 'jsonl') {
    return {
      textColumn: resolveJsonKey('text', options.textColumn, columns),
      labelColumn: resolveJsonKey('label', options.labelColumn, columns),
    };
  }
  const header = options.header ?? true;
  const names = header ? columns : undefined;
  return {
    textColumn: canonicalColumn('text', options.textColumn, names, columns.length),
    labelColumn: canonicalColumn('label', options.labelColumn, names, columns.length),
    header,
  };
}

/**
 * Returns the header name of the selected CSV or TSV column when that name selects the same
 * column, and else its index, as for a repeated name or a file without a header row.
 */
function canonicalColumn(
  role: ColumnRole,
  selector: ColumnSelector | undefined,
  names: readonly string[] | undefined,
  fieldCount: number,
): ColumnSelector {
  const index = resolveFieldIndex(role, selector, names, fieldCount);
  const name = names?.[index];
  if (name !== undefined && resolveFieldIndex(role, name, names, fieldCount) === index) {
    return name;
  }
  return index;
}
