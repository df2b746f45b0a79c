import type { MethodSettings } from '../../method/settings';
import { useModelStore } from '../../store/model-store';
import { DEFAULT_RUN_OPTIONS, OPTION_FIELDS, SETTING_FIELDS, type NumericSetting } from '../../store/session-config';
import { ACTIVE, effectiveSettings, useTrainingStore } from '../../store/training-store';
import { defaultSettings } from '../../method/settings';
import { Panel } from '../Panel';
import { HiddenStatesSetting, MixingSetting, PromptInitSetting, TargetStartSetting } from './ChoiceSettings';
import { NumberSetting } from './NumberSetting';

const GROUPS: { title: string; keys: NumericSetting[] }[] = [
  { title: 'Prompt', keys: ['promptLength', 'rank'] },
  { title: 'Optimisation', keys: ['promptLearningRate', 'taskVectorLearningRate', 'batchSize', 'warmupSteps', 'clipNorm', 'maxInputTokens'] },
  { title: 'Steps', keys: ['sourceSteps', 'distillSteps', 'targetSteps'] },
  { title: 'Distillation (stage 2)', keys: ['lambda', 'temperature'] },
  { title: 'Target (stage 3)', keys: [] },
];

/** Every hyperparameter of MethodSettings and the run's bookkeeping, starting from the loaded model's defaults. */
export function SettingsPanel() {
  const model = useModelStore((s) => s.model);
  const config = useTrainingStore((s) => s.config);
  const locked = useTrainingStore((s) => s.run !== null && ACTIVE.includes(s.run.status));
  const setOverride = useTrainingStore((s) => s.setOverride);
  const setOption = useTrainingStore((s) => s.setOption);
  const resetSettings = useTrainingStore((s) => s.resetSettings);

  if (!model) {
    return (
      <Panel id="settings" title="Hyperparameters">
        <p className="muted">Load a model first: the defaults scale with it (for example l = d / 2, at most 100).</p>
      </Panel>
    );
  }
  const defaults = defaultSettings(model.config);
  const settings = effectiveSettings(config, model.config);
  /** Keeps only real changes as overrides, so the defaults keep following the model. */
  const set = <K extends keyof MethodSettings>(key: K, value: MethodSettings[K]) =>
    setOverride(key, JSON.stringify(value) === JSON.stringify(defaults[key]) ? undefined : value);
  const numberField = (key: NumericSetting) => (
    <NumberSetting
      key={key}
      field={SETTING_FIELDS.find((f) => f.key === key)!}
      value={settings[key]}
      defaultValue={defaults[key]}
      disabled={locked}
      onChange={(value) => set(key, value)}
    />
  );
  const changed = Object.keys(config.overrides).length + OPTION_FIELDS.filter((f) => config.options[f.key] !== DEFAULT_RUN_OPTIONS[f.key]).length;

  return (
    <Panel id="settings" title="Hyperparameters">
      <div className="row settings-head">
        <p className="hint">
          Defaults from the paper, scaled to this model (d = {model.config.dModel}). {changed > 0 && `${changed} changed (marked). `}
          {locked && 'Fixed while a run is active.'}
        </p>
        <button type="button" onClick={resetSettings} disabled={locked || changed === 0}>
          Reset to defaults
        </button>
      </div>
      <div className="settings-groups">
        {GROUPS.map((group) => (
          <fieldset key={group.title} disabled={locked}>
            <legend>{group.title}</legend>
            {group.keys.map(numberField)}
            {group.title === 'Prompt' && (
              <PromptInitSetting value={settings.promptInit} defaultValue={defaults.promptInit} disabled={locked} onChange={(v) => set('promptInit', v)} />
            )}
            {group.title === 'Distillation (stage 2)' && (
              <>
                <HiddenStatesSetting value={settings.hiddenStates} defaultValue={defaults.hiddenStates} disabled={locked} onChange={(v) => set('hiddenStates', v)} />
                <MixingSetting value={settings.mixing} defaultValue={defaults.mixing} disabled={locked} onChange={(v) => set('mixing', v)} />
              </>
            )}
            {group.title === 'Target (stage 3)' && (
              <TargetStartSetting value={settings.targetStart} defaultValue={defaults.targetStart} disabled={locked} onChange={(v) => set('targetStart', v)} />
            )}
          </fieldset>
        ))}
        <fieldset disabled={locked}>
          <legend>Run</legend>
          {OPTION_FIELDS.map((field) => (
            <NumberSetting
              key={field.key}
              field={field}
              value={config.options[field.key]}
              defaultValue={DEFAULT_RUN_OPTIONS[field.key]}
              disabled={locked}
              onChange={(value) => setOption(field.key, value)}
            />
          ))}
        </fieldset>
      </div>
    </Panel>
  );
}
