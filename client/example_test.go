package client_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/recordroom/recordroom/client"
)

// Subscribe to the active tasks, print the result whenever it changes, and add a task.
func ExampleDial() {
	ctx := context.Background()
	c, err := client.Dial(ctx, "http://localhost:8080", "room-1", client.Options{
		TokenSource: client.StaticToken(os.Getenv("RECORDROOM_TOKEN")),
		OnStateChange: func(ch client.StateChange) {
			log.Printf("connection %s (%v)", ch.State, ch.Err)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	sub, err := c.Subscribe(ctx, "tasks", client.Query{
		Where:   map[string]any{"status": "active"},
		OrderBy: []client.OrderKey{client.Desc("priority")},
	})
	if err != nil {
		log.Fatal(err)
	}
	rec, err := c.CreateConfirmed(ctx, "tasks", "", map[string]any{"title": "Ship it", "status": "active", "priority": 1})
	switch {
	case client.IsCode(err, client.CodeInvalid):
		log.Fatalf("the schema refused it: %v", err)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("created", rec.ID)
	for {
		select {
		case <-sub.Changed():
			for _, r := range sub.Records() {
				fmt.Println(r.ID, string(r.Data))
			}
		case <-sub.Done():
			log.Fatal(sub.Err())
		}
	}
}
