// Types the generated build/*.ts files check dashboards against (see check.mjs).
//
// The base is @grafana/schema's `Dashboard` (the classic dashboard JSON model). Two things are
// added on top, because the base type cannot see them:
//  - JSON has no enum members: @grafana/schema declares many fields as TypeScript string enums
//    (ThresholdsMode, StackingMode, ...), to which a plain string literal is not assignable.
//    `Json<T>` replaces every string enum by the union of its values, so "absolute" is accepted
//    and "absolut" is not. Numeric enums stay: TypeScript accepts only their member values.
//  - `Panel.options`, `fieldConfig.defaults.custom` and `targets` are `Record<string, unknown>` in
//    the base type. For the panel types below they are typed with the panel plugins' own
//    option types from @grafana/schema (panelcfg), and targets with the Prometheus query model.
import type {
  Dashboard,
  DataQuery,
  DataSourceRef,
  FieldConfig,
  FieldConfigSource,
  Panel,
  RowPanel,
} from '@grafana/schema';
import type * as barchart from '@grafana/schema/dist/esm/raw/composable/barchart/panelcfg/x/BarChartPanelCfg_types.gen';
import type * as bargauge from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type * as gauge from '@grafana/schema/dist/esm/raw/composable/gauge/panelcfg/x/GaugePanelCfg_types.gen';
import type * as piechart from '@grafana/schema/dist/esm/raw/composable/piechart/panelcfg/x/PieChartPanelCfg_types.gen';
import type * as stat from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type * as statetimeline from '@grafana/schema/dist/esm/raw/composable/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen';
import type * as table from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type * as text from '@grafana/schema/dist/esm/raw/composable/text/panelcfg/x/TextPanelCfg_types.gen';
import type * as timeseries from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

/** T as it appears in JSON: string enums become the union of their string values. */
export type Json<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends ReadonlyArray<infer U>
      ? Array<Json<U>>
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

/**
 * Prometheus query model (Grafana's PrometheusDataQuery kind: common DataQuery plus these
 * fields). It is not part of @grafana/schema, so it is spelled out here.
 */
export interface PrometheusQuery extends DataQuery {
  datasource?: DataSourceRef;
  editorMode?: 'code' | 'builder';
  exemplar?: boolean;
  expr: string;
  format?: 'time_series' | 'table' | 'heatmap';
  instant?: boolean;
  interval?: string;
  intervalFactor?: number;
  legendFormat?: string;
  range?: boolean;
}

/** A panel whose options and fieldConfig.defaults.custom have the plugin's own types. */
type TypedPanel<TType extends string, TOptions, TCustom> = Omit<Panel, 'type' | 'options' | 'fieldConfig' | 'targets'> & {
  type: TType;
  options?: TOptions;
  fieldConfig?: Omit<FieldConfigSource, 'defaults'> & {
    defaults: Omit<FieldConfig, 'custom'> & { custom?: TCustom };
  };
  targets?: PrometheusQuery[];
};

/** Panel types whose plugin declares no field config: `custom` may only be empty. */
type NoCustom = Record<string, never>;

export type TimeSeriesPanel = Json<TypedPanel<'timeseries', timeseries.Options, timeseries.FieldConfig>>;
export type StatPanel = Json<TypedPanel<'stat', stat.Options, NoCustom>>;
export type BarGaugePanel = Json<TypedPanel<'bargauge', bargauge.Options, NoCustom>>;
export type TablePanel = Json<TypedPanel<'table', table.Options, table.FieldConfig>>;
export type GaugePanel = Json<TypedPanel<'gauge', gauge.Options, NoCustom>>;
export type PieChartPanel = Json<TypedPanel<'piechart', piechart.Options, piechart.FieldConfig>>;
export type BarChartPanel = Json<TypedPanel<'barchart', barchart.Options, barchart.FieldConfig>>;
export type StateTimelinePanel = Json<TypedPanel<'statetimeline', statetimeline.Options, statetimeline.FieldConfig>>;
export type TextPanel = Json<TypedPanel<'text', text.Options, NoCustom>>;
/** Any other panel type: only the generic panel model is checked. */
export type OtherPanel = Json<Omit<Panel, 'targets'> & { targets?: PrometheusQuery[] }>;
/** A row; its `panels` (collapsed rows only) are checked one by one with the types above. */
export type Row = Json<Omit<RowPanel, 'panels'>> & { panels: unknown[] };

export type JsonDashboard = Json<Dashboard>;
