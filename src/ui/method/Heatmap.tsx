import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { divergingColor, SCALE_GRADIENT } from './color-scale';
import { maxAbs, type Matrix } from '../../method/prompt-matrices';

interface HeatmapProps {
  title: string;
  matrix: Matrix;
  /** What the rows and columns are, e.g. "prompt position (l = 20)". */
  rowAxis: string;
  colAxis: string;
  /** CSS height of one row; the width follows the container (or `width`). */
  rowHeight: number;
  /** A fixed CSS width for a matrix with a few columns (u_k); default: the container's. */
  width?: number;
  testId?: string;
}

/** The smallest canvas height in CSS pixels, so a matrix of few rows still reads. */
const MIN_HEIGHT = 40;

const format = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

/**
 * A matrix as a canvas of coloured cells (one pixel per cell, scaled up) on a diverging scale
 * centred on 0. Hovering a cell, or moving a cursor with the arrow keys, reads its value out.
 */
export function Heatmap({ title, matrix, rowAxis, colAxis, rowHeight, width, testId }: HeatmapProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [cursor, setCursor] = useState<{ row: number; col: number } | null>(null);
  const { rows, cols, data } = matrix;
  const range = maxAbs(data) || 1;

  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(cols, rows);
    data.forEach((value, i) => {
      const [r, g, b] = divergingColor(value / range);
      image.data.set([r, g, b, 255], i * 4);
    });
    context.putImageData(image, 0, 0);
  }, [data, rows, cols, range]);

  const hover = (event: MouseEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const col = Math.min(cols - 1, Math.floor(((event.clientX - box.left) / box.width) * cols));
    const row = Math.min(rows - 1, Math.floor(((event.clientY - box.top) / box.height) * rows));
    setCursor({ row: Math.max(0, row), col: Math.max(0, col) });
  };

  const move = (event: KeyboardEvent<HTMLCanvasElement>) => {
    const steps: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const step = steps[event.key];
    if (!step) return;
    event.preventDefault();
    const at = cursor ?? { row: 0, col: 0 };
    setCursor({
      row: Math.max(0, Math.min(rows - 1, at.row + step[0])),
      col: Math.max(0, Math.min(cols - 1, at.col + step[1])),
    });
  };

  const value = cursor && data[cursor.row * cols + cursor.col];
  return (
    <figure className="heatmap" data-testid={testId}>
      <figcaption>
        <strong>{title}</strong>{' '}
        <span className="muted">
          [{rows} × {cols}]
        </span>
      </figcaption>
      <div className="heatmap-grid">
        <div className="heatmap-row-axis">
          <span>{rowAxis}</span>
        </div>
        <div className="heatmap-row-ticks" aria-hidden="true">
          <span>0</span>
          {rows > 1 && <span>{rows - 1}</span>}
        </div>
        <div className="heatmap-plot" style={width ? { width } : undefined}>
          <canvas
            ref={canvas}
            width={cols}
            height={rows}
            style={{ height: Math.max(MIN_HEIGHT, rows * rowHeight) }}
            tabIndex={0}
            role="img"
            aria-label={`${title}: ${rows} rows (${rowAxis}) by ${cols} columns (${colAxis}), values from ${format(-range)} to ${format(range)}. Arrow keys read out cells.`}
            onMouseMove={hover}
            onMouseLeave={() => setCursor(null)}
            onKeyDown={move}
            onBlur={() => setCursor(null)}
          />
          {cursor && (
            <div
              className="heatmap-cursor"
              style={{
                left: `${(cursor.col / cols) * 100}%`,
                top: `${(cursor.row / rows) * 100}%`,
                width: `${100 / cols}%`,
                height: `${100 / rows}%`,
              }}
            />
          )}
        </div>
        <div className="heatmap-col-labels" style={width ? { width } : undefined}>
          <div className="heatmap-col-ticks" aria-hidden="true">
            <span>0</span>
            {cols > 1 && <span>{cols - 1}</span>}
          </div>
          <div className="heatmap-col-axis">{colAxis}</div>
        </div>
      </div>
      <div className="heatmap-footer">
        <span className="heatmap-legend" aria-hidden="true">
          <span>{format(-range)}</span>
          <span className="heatmap-legend-bar" style={{ background: SCALE_GRADIENT }} />
          <span>{format(range)}</span>
        </span>
        <output className="heatmap-readout" data-testid={testId && `${testId}-readout`}>
          {cursor && value !== null ? `row ${cursor.row}, col ${cursor.col}: ${format(value)}` : 'hover for values'}
        </output>
      </div>
    </figure>
  );
}
